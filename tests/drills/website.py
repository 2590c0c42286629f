"""The site served by gunicorn in a process of its own, as the Procfile's
`web` runs it, and a small browser for it: plain HTTP, cookies kept (the
production settings mark them Secure and `__Host-`, which a real browser
would only send over HTTPS), the form's CSRF token sent back."""

import http.client
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import urlencode

from recruitment.settings import BASE_DIR
from tests.support.delivery import free_port, stop_process_group, wait_for


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def json(self):
        return json.loads(self.text)


class Website:
    def __init__(self, *, database_url: str, broker_url: str):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.drills.site_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": broker_url,
        }
        command = [sys.executable, "-m", "gunicorn", "recruitment.wsgi", "--workers", "1"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--timeout", "30"]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
        wait_for(self._listening, what="gunicorn to listen", timeout=30)

    def _listening(self) -> bool:
        try:
            Browser(self).get("/healthz")
        except ConnectionError:
            return False
        return True

    def stop(self) -> None:
        stop_process_group(self.process)


class Browser:
    def __init__(self, website: Website):
        self.website = website
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> Response:
        return self._request("GET", path)

    def open_form(self, path: str) -> dict[str, str]:
        """Open the form at `path`; return the CSRF token to send it with."""
        page = self.get(path)
        assert page.status == 200, page.status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        return {"csrfmiddlewaretoken": token}

    def post(self, path: str, data: dict) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._request("POST", path, body=urlencode(data), headers=headers)

    def _request(self, method: str, path: str, *, body=None, headers=None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.website.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return Response(response.status, response.headers, text)
