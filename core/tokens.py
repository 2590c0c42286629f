"""Secret registration links and short human references."""

import hashlib
import secrets

from django.conf import settings

# No 0/O, 1/I/L, U/V or 5/S: easy to read out over the phone.
REFERENCE_ALPHABET = "2346789ABCDEFGHJKMNPQRTWXYZ"
REFERENCE_LENGTH = 6


def new_token() -> str:
    """256 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reference_prefix() -> str:
    words = [word for word in settings.FORCE_NAME.split() if word[:1].isalpha()]
    return "".join(word[0] for word in words).upper()[:3] or "IE"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{reference_prefix()}-{code}"
