"""Login lockout (django-axes): what staff see when they are locked out.

The policy itself is in settings (AXES_FAILURE_LIMIT per username,
LOGIN_ADDRESS_FAILURE_LIMIT per address, AXES_COOLOFF_TIME,
AXES_LOCKOUT_PARAMETERS); an administrator unlocks with the axes_reset_*
management commands (see the README's staff guide)."""

import ipaddress
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render


class LockoutHandler(AxesDatabaseHandler):
    """AXES_HANDLER: django-axes's own, with a limit of its own for the
    address. axes compares one number, the most failures of any of
    AXES_LOCKOUT_PARAMETERS, with AXES_FAILURE_LIMIT; here the address's
    count is shifted so that it reaches that limit exactly when it reaches
    LOGIN_ADDRESS_FAILURE_LIMIT. An office behind one NAT address is then
    not locked out by its own typos, and one username still is after
    AXES_FAILURE_LIMIT failures from anywhere."""

    def get_failures(self, request, credentials=None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        counts = {
            str(parameter): found.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for parameter, found in zip(parameters, attempts, strict=True)
        }
        shift = settings.LOGIN_ADDRESS_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT
        by_address = counts.pop(str(["ip_address"]), 0) - shift
        return max([by_address, *counts.values()])


def policy() -> dict:
    cooloff = settings.AXES_COOLOFF_TIME
    if isinstance(cooloff, int | float):
        cooloff = timedelta(hours=cooloff)
    minutes = int(cooloff.total_seconds() // 60) if isinstance(cooloff, timedelta) else None
    return {
        "failures": settings.AXES_FAILURE_LIMIT,
        "address_failures": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "minutes": minutes,
    }


def locked_out_message() -> str:
    return (
        "Sign-in is locked for now: there have been too many failed attempts."
        f" Try again in {policy()['minutes']} minutes, or ask an administrator to unlock it."
    )


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin's look and a plain explanation,
    with 429 Too Many Requests; for the passkey script (a JSON request),
    the explanation as the JSON it shows to the person."""
    if request.content_type == "application/json":
        return JsonResponse({"detail": locked_out_message(), "code": "locked_out"}, status=429)
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
    """AXES_CLIENT_IP_CALLABLE, and the address the public forms' rate
    limits start from (client_network). Behind TRUSTED_PROXY_COUNT proxies
    REMOTE_ADDR is the nearest proxy, and each proxy appends the address it
    was reached from to X-Forwarded-For: the client's is that many entries
    from the right. A client can write anything at the left of the header,
    but nothing to the right of what our proxies add."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        # Fewer entries than proxies: the request came round them, so the
        # header is the client's own writing; trust the connection instead.
        # Anything but an address (a proxy that adds the port) likewise:
        # axes stores it in an address column, and would fail the login.
        if len(hops) >= count and _is_address(hops[-count]):
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def client_network(request) -> str:
    """What the public forms' rate limits count against: the client's IPv4
    address, or the /64 network of its IPv6 address. One home or phone is
    given a whole /64 and can use any address in it, so counting single
    IPv6 addresses would let one client go round every limit."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        # From the number, not the text: a link-local address's "%zone" would not parse.
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
