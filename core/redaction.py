"""Secret links out of logs. A path such as /registration/<token>/cancel/
is a key to someone's booking: gunicorn's access log (core/gunicorn.py),
Django's own request warnings ("Not Found: /registration/...") and
runserver's request lines must never hold the token.

Which parts are secret comes from the URLconf itself: every URL parameter
named in SECRET_PARAMETERS, wherever it sits in any app's urls.py. The
tests walk the URLconf so that a new parameter must be declared secret or
public before it can ship."""

import logging
import re
from functools import cache

# URL parameters whose value is a secret: a token that opens someone's
# registration, request or subscription.
SECRET_PARAMETERS = frozenset({"token"})
REDACTED = "[redacted]"

# What a parameter's value may hold in a log line: up to the next slash,
# and not past the end of the URL (a space, a quote, the query string).
_VALUE = r"[^/\s?#\"'<>]+"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def route_patterns(resolver=None, prefix: str = ""):
    """(route, pattern) for every URL in the URLconf, with its includes'
    prefixes joined on: ("registration/<str:token>/cancel/", URLPattern)."""
    from django.urls import URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from route_patterns(entry, route)
        else:
            yield route, entry


def parameter_names(route: str) -> list[str]:
    return [match["name"] for match in _PARAMETER.finditer(route)]


def _secret_regex(route: str) -> str | None:
    """A regex for the route up to its first secret parameter, which it
    captures: "/registration/(?P<secret>...)". Matching only that far also
    catches a link cut short or with something added after it."""
    parts, end = [], 0
    for match in _PARAMETER.finditer(route):
        parts.append(re.escape(route[end : match.start()]))
        if match["name"] in SECRET_PARAMETERS:
            return "/" + "".join(parts) + f"(?P<secret>{_VALUE})"
        parts.append(_VALUE)
        end = match.end()
    return None


@cache
def _secret_paths() -> re.Pattern | None:
    """One regex for every secret route, longest first, built once per
    process, on the first line logged (the URLconf is loaded by then)."""
    regexes = sorted(
        {regex for route, _ in route_patterns() if (regex := _secret_regex(route))},
        key=len,
        reverse=True,
    )
    alternatives = [
        "(?:" + regex.replace("(?P<secret>", f"(?P<secret{number}>") + ")"
        for number, regex in enumerate(regexes)
    ]
    return re.compile("|".join(alternatives)) if alternatives else None


def redact(text: str, replacement: str = REDACTED) -> str:
    """`text` (a path, a URL, a request line, a log message, an email) with
    the secret part of every URL in it replaced by `replacement`. The one
    place that knows what a secret link looks like: the logs use it, and so
    does what staff see of an email (staff/redaction.py)."""
    if not text or not isinstance(text, str):
        return text
    pattern = _secret_paths()
    if pattern is None:
        return text
    return pattern.sub(lambda match: "".join(_split_secret(match, replacement)), text)


def find_secret_links(text: str) -> list[tuple[str, str]]:
    """(the path up to the secret, the secret) for every secret link in
    `text`: ("/registration/", "<token>")."""
    pattern = _secret_paths()
    if not text or pattern is None:
        return []
    return [_split_secret(match)[:2] for match in pattern.finditer(text)]


def _split_secret(match: re.Match, replacement: str | None = None) -> tuple[str, str, str]:
    """The matched link as (before the secret, the secret or its
    replacement, after it)."""
    whole, start = match.group(0), match.start()
    for name, value in match.groupdict().items():
        if name.startswith("secret") and value is not None:
            offset = match.start(name) - start
            secret = value if replacement is None else replacement
            return whole[:offset], secret, whole[offset + len(value) :]
    return whole, "", ""


class RedactSecrets(logging.Filter):
    """A logging filter (settings.LOGGING) that takes secret links out of
    every record's message: "Not Found: /registration/<token>/", CSRF
    refusals, runserver's request lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's to report, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
