"""No log line holds a secret link: the redaction is checked against every
URL in the URLconf, then through gunicorn's access log as the Procfile runs
it, Django's request warnings and runserver's request lines."""

import io
import logging
import os
import re
import secrets
import shlex
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from django.urls.resolvers import RegexPattern

from core.redaction import (
    REDACTED,
    SECRET_PARAMETERS,
    RedactSecrets,
    parameter_names,
    redact,
    route_patterns,
)
from recruitment.settings import BASE_DIR
from tests.support.delivery import free_port, stop_process_group, wait_for

# Parameters that name nothing secret: an event's public slug, admin ids.
PUBLIC_PARAMETERS = {"slug", "object_id", "content_type_id", "id", "registration_id"}
PUBLIC_PARAMETERS |= {"app_label", "url"}  # the admin's own regex routes
SAMPLE_VALUES = {"slug": "womens-evening", "object_id": "7", "registration_id": "9"}


def secret_paths() -> list[tuple[str, str, str]]:
    """(route, a path for it, the token in it) for every URL with a secret."""
    found = []
    for route, _ in route_patterns():
        names = parameter_names(route)
        if not SECRET_PARAMETERS & set(names):
            continue
        token = secrets.token_urlsafe(32)
        values = {**SAMPLE_VALUES, **dict.fromkeys(SECRET_PARAMETERS, token)}
        path = "/" + re.sub(
            r"<(?:[^>:]+:)?([^>]+)>", lambda match, values=values: values[match[1]], route
        )
        found.append((route, path, token))
    return found


def test_every_url_parameter_is_declared_secret_or_public():
    """A new URL with a parameter of a new name fails here until someone
    decides whether its value is a secret (add it to SECRET_PARAMETERS)."""
    for route, pattern in route_patterns():
        for name in parameter_names(route):
            assert name in SECRET_PARAMETERS | PUBLIC_PARAMETERS, (route, name)
        if isinstance(pattern.pattern, RegexPattern):
            assert not SECRET_PARAMETERS & set(pattern.pattern.regex.groupindex), route


def test_the_tokened_urls_are_the_ones_we_know():
    routes = {route for route, _path, _token in secret_paths()}

    assert routes >= {
        "registration/<str:token>/",
        "registration/<str:token>/cancel/",
        "registration/<str:token>/equality-questions/",
        "positive-action/request/<str:token>/",
        "positive-action/request/<str:token>/withdraw/",
        "alerts/confirm/<str:token>/",
        "alerts/manage/<str:token>/",
        "alerts/unsubscribe/<str:token>/",
    }


def test_every_tokened_url_is_redacted_however_it_is_written():
    for route, path, token in secret_paths():
        cut_short = path.split(token)[0] + token
        for text in (
            path,
            f"GET {path}?utm_source=email HTTP/1.1",
            f"https://events.example.org{path}",
            f'"POST {path} HTTP/1.1" 302 0',
            f"Not Found: {cut_short}",
            f"Forbidden (CSRF token missing.): {path}",
        ):
            redacted = redact(text)

            assert token not in redacted, (route, text)
            assert REDACTED in redacted, (route, text)
        assert redact(path) == path.replace(token, REDACTED)


def test_paths_without_a_secret_are_left_as_they_are():
    for path in ("/", "/events/womens-evening/register/", "/admin/events/event/7/change/"):
        assert redact(path) == path


@contextmanager
def written_by(handler: logging.StreamHandler):
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def redacting_handlers(logger: logging.Logger) -> list[logging.StreamHandler]:
    return [
        handler
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(found, RedactSecrets) for found in handler.filters)
    ]


@pytest.mark.django_db
def test_djangos_not_found_warning_does_not_log_the_token(client):
    [console] = redacting_handlers(logging.getLogger())
    token = secrets.token_urlsafe(32)

    with written_by(console) as written:
        response = client.get(f"/registration/{token}/cancel/")

    assert response.status_code == 404
    assert "Not Found: /registration/[redacted]/cancel/" in written.getvalue()
    assert token not in written.getvalue()


def test_runserver_request_lines_do_not_log_the_token():
    logger = logging.getLogger("django.server")
    [handler] = redacting_handlers(logger)
    token = secrets.token_urlsafe(32)

    with written_by(handler) as written:
        logger.info('"%s" %s %s', f"GET /alerts/manage/{token}/ HTTP/1.1", 200, 512)

    assert "GET /alerts/manage/[redacted]/ HTTP/1.1" in written.getvalue()
    assert token not in written.getvalue()


def procfile_web_option(name: str) -> str:
    web = next(
        line.split(":", 1)[1]
        for line in (BASE_DIR / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    words = shlex.split(web)
    return words[words.index(name) + 1]


def test_gunicorns_access_log_as_the_procfile_runs_it_holds_no_token(tmp_path):
    log = tmp_path / "access.log"
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "recruitment.wsgi", "--workers", "1"]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", str(log)]
    command += ["--logger-class", procfile_web_option("--logger-class")]
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        start_new_session=True,
    )
    sent = secret_paths()
    try:
        wait_for(lambda: _answers(port, "/healthz"), what="gunicorn to listen", timeout=30)
        for _route, path, _token in sent:
            _answers(port, f"{path}?from=email", referer=f"https://events.example.org{path}")
        wait_for(lambda: log.read_text().count(REDACTED) >= 2 * len(sent), what="the log")
    finally:
        stop_process_group(process)

    written = log.read_text()
    for _route, _path, token in sent:
        assert token not in written
    assert "/registration/[redacted]/cancel/?from=email" in written


def _answers(port: int, path: str, *, referer: str = "") -> bool:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Referer": referer} if referer else {})
        connection.getresponse().read()
    except ConnectionError:
        time.sleep(0.1)
        return False
    finally:
        connection.close()
    return True
