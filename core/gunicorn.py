"""Gunicorn's access log without secret links: the Procfile's web process
runs gunicorn with `--logger-class core.gunicorn.RedactingLogger`.

Every value a log line can show (the request line, the path, the query,
the Referer of a page opened from a secret link, a redirect's Location)
goes through core.redaction first, so /registration/<token>/ is logged as
/registration/[redacted]/. The format itself is gunicorn's, unchanged."""

from gunicorn.glogging import Logger

from .redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}
