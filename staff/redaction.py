"""Staff never see a live secret link. A candidate's links (to change or
cancel a registration, answer the equality questions, see or withdraw a
positive-action request, confirm or change alerts) are the only key to
them: whoever reads one can act as that person. Emails carry them, so
whatever the back office shows of an email goes through `redact` first.

The secret paths are read from the URLconf (every route with a `<token>`),
so a new kind of link is covered without a change here; anything else that
looks like a token (32 or more URL-safe characters in a row) goes too. The
logs have their own redaction (core/redaction.py), which walks the same
URLconf."""

import re
from functools import cache

from core.redaction import route_patterns

HIDDEN = "[hidden]"
TOKEN_PARAMETER = "<str:token>"
LOOKS_LIKE_A_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")


@cache
def secret_link() -> re.Pattern:
    """/registration/<token>, /alerts/confirm/<token> and the rest: the path
    before the token, then the token (anything up to the next / or space)."""
    prefixes = sorted(
        {
            "/" + route.split(TOKEN_PARAMETER)[0]
            for route, _ in route_patterns()
            if TOKEN_PARAMETER in route
        }
    )
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
    return re.compile(rf"({alternatives})[^/\s\"'<>?#]+")


def redact(text: str) -> str:
    """`text` with the token of every secret link (and anything else that
    looks like a token) replaced by HIDDEN."""
    text = secret_link().sub(lambda match: match.group(1) + HIDDEN, text or "")
    return LOOKS_LIKE_A_TOKEN.sub(HIDDEN, text)
