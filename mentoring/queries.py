"""Reads of positive-action requests."""

from core import tokens
from core.groups import POSITIVE_ACTION

from .models import MentoringRequest

# core.tokens.new_token gives 43 characters; anything much longer is not ours.
TOKEN_MAX_LENGTH = 100


def request_for_token(token: str) -> MentoringRequest | None:
    """The request a secret link opens, or None for an unknown, tampered,
    truncated or withdrawn one."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return (
        MentoringRequest.objects.select_related("role")
        .filter(token_hash=tokens.hash_token(token))
        .first()
    )


def is_team_member(user) -> bool:
    """Whether `user` may see mentoring requests at all: active staff in the
    Positive action group, or a superuser. Permissions alone are not enough:
    a permission given to someone outside the team by mistake shows nothing."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=POSITIVE_ACTION).exists()
