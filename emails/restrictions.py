"""Outbox rows that only some staff may see. The outbox knows nothing of
the apps that queue through it; an app whose emails are confidential
(positive-action requests) registers the `about` prefix of its rows and who
may see them, in its AppConfig.ready()."""

from collections.abc import Callable

_RESTRICTED: dict[str, Callable[[object], bool]] = {}


def restrict_about(prefix: str, *, may_see: Callable[[object], bool]) -> None:
    """Rows whose `about` starts with `prefix` are shown only to users for
    whom `may_see(user)` is true."""
    _RESTRICTED[prefix] = may_see


def hidden_about_prefixes(user) -> list[str]:
    """The prefixes of rows this user may not see."""
    return [prefix for prefix, may_see in _RESTRICTED.items() if not may_see(user)]
