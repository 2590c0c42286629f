"""Public pages served from the cache when a rush arrives.

A page is cached under a key made of everything it shows that can change
(the caller reads those from the database on every request), so a change
shows on the next request and the cache only saves rendering the same HTML
again. What the key leaves out (related rows, the clock) is at most
PAGE_CACHE_SECONDS old. The cache is each process's own memory (the "pages"
cache in settings): no round trip, nothing to fail. A visitor with messages
waiting gets the page rendered as usual."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import models
from django.http import HttpRequest, HttpResponse

PAGE_CACHE_SECONDS = 60


def row_fingerprint(instance: models.Model) -> tuple:
    """Every stored value of a model instance: part of a cache key, so a
    change by any path (the admin, a queryset update) makes a new key."""
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def cached_page(
    request: HttpRequest, key_parts: tuple, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The HTML `render` would answer, from the cache when the same key was
    rendered in the last PAGE_CACHE_SECONDS. Only 200s are cached."""
    if _has_messages(request):
        return render()
    key = hashlib.sha256(repr(key_parts).encode()).hexdigest()
    html = caches["pages"].get(key)
    if html is not None:
        return HttpResponse(html)
    response = render()
    if response.status_code == 200:
        caches["pages"].set(key, response.content, PAGE_CACHE_SECONDS)
    return response


def _has_messages(request: HttpRequest) -> bool:
    """Messages live in the session, so only a visitor with one can have any."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return len(messages.get_messages(request)) > 0
