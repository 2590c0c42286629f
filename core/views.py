import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.generic import TemplateView

from . import health

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@never_cache
def healthz(request):
    database = health.check_database()
    broker = health.check_broker()
    healthy = database and broker is not False
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database else "unavailable",
        "broker": {None: "not configured", True: "ok", False: "unavailable"}[broker],
        "worker_last_seen": health.worker_last_seen(),
        # After a Redis timeout this process skips Redis for a while: rate
        # limits do not limit, emails wait for the sweeper.
        "redis_skipped_for_seconds": round(health.redis_skipped_for()),
    }
    return JsonResponse(body, status=200 if healthy else 503)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers and link previews ask for /favicon.ico whatever the page
    says: send them to the static icon (its name changes with its content)."""
    return redirect(static("images/favicon.ico"))


class PrivacyView(TemplateView):
    template_name = "core/privacy.html"


class AccessibilityView(TemplateView):
    template_name = "core/accessibility.html"


class CookiesView(TemplateView):
    template_name = "core/cookies.html"


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    # No context processors and no database: this page must render when
    # everything else is failing. Django calls this inside its `except`, so
    # the error is at hand: the database being unreachable is not a bug in
    # the page but an outage, answered 503 so that clients retry.
    context = {
        "force_name": settings.FORCE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
    }
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        body = loader.get_template("503.html").render(context)
        return HttpResponse(body, status=503, headers={"Retry-After": "60"})
    return HttpResponseServerError(loader.get_template("500.html").render(context))
