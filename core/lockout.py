"""Login lockout (django-axes): what staff see when they are locked out.

The policy itself is in settings (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME,
AXES_LOCKOUT_PARAMETERS); an administrator unlocks with the axes_reset_*
management commands (see the README's staff guide)."""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.shortcuts import render


def policy() -> dict:
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, int | float):
        cooloff = timedelta(hours=cooloff)
    minutes = int(cooloff.total_seconds() // 60) if isinstance(cooloff, timedelta) else None
    return {"failures": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin's look and a plain explanation,
    with 429 Too Many Requests."""
    return render(request, "admin/locked_out.html", {"policy": policy()}, status=429)


# AccessAttempt.username is a CharField(max_length=255).
USERNAME_STORED = 255


def client_username(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the username tried, cut to what axes can
    store. Uncut, a longer one (scanners send them) is a database error on
    PostgreSQL, a 500 instead of "Please enter the correct username"."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field) or ""
    return str(username)[:USERNAME_STORED]


def client_ip(request) -> str:
    """AXES_CLIENT_IP_CALLABLE. Behind the TLS proxy (SECURE_PROXY_SSL_HEADER
    is set when DEBUG is off) REMOTE_ADDR is the proxy, so take the address
    the proxy added last to X-Forwarded-For: a client can put anything at the
    start of that header, but not after what our one proxy appends."""
    forwarded = request.headers.get("x-forwarded-for", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        last = forwarded.split(",")[-1].strip()
        # Anything but an address (a proxy that adds the port, a client that
        # reached the app without the proxy) would fail the login outright:
        # axes stores it in an address column.
        if _is_address(last):
            return last
    return request.META.get("REMOTE_ADDR", "")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
