"""Outbox rows that only some staff may see. The outbox knows nothing of
the apps that queue through it; an app whose emails are confidential
(positive-action requests) registers the `about` prefix of its rows and the
permission needed to see them, in its AppConfig.ready()."""

_RESTRICTED: dict[str, str] = {}


def restrict_about(prefix: str, *, permission: str) -> None:
    _RESTRICTED[prefix] = permission


def hidden_about_prefixes(user) -> list[str]:
    """The prefixes of rows this user may not see."""
    return [prefix for prefix, permission in _RESTRICTED.items() if not user.has_perm(permission)]
