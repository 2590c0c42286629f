"""Staff never see a live secret link. A candidate's links (to change or
cancel a registration, answer the equality questions, see or withdraw a
positive-action request, confirm or change alerts) are the only key to
them: whoever reads one can act as that person. Emails carry them, so
whatever the back office shows of an email goes through `redact` first.

What a secret link looks like is core/redaction.py's, which the logs use
too: every route whose URL parameter is declared secret, read from the
URLconf, so a new kind of link is covered without a change here. Anything
else that looks like a token (32 or more URL-safe characters in a row) goes
too: an email may hold a token outside a link of ours."""

import re

from core import redaction

HIDDEN = "[hidden]"
LOOKS_LIKE_A_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")


def redact(text: str) -> str:
    """`text` with the token of every secret link (and anything else that
    looks like a token) replaced by HIDDEN."""
    text = redaction.redact(text or "", replacement=HIDDEN)
    return LOOKS_LIKE_A_TOKEN.sub(HIDDEN, text)
