import os
import subprocess
import sys

from django.conf import settings
from django.db import connection

from recruitment.settings import BASE_DIR


def _django_setup(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "recruitment.settings", "DJANGO_READ_DOT_ENV": "false"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_refuses_to_start_without_secret_key():
    result = _django_setup({"DEBUG": "false", "ALLOWED_HOSTS": "events.example.org"})

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = _django_setup({"DEBUG": "false", "SECRET_KEY": "x" * 60})

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "recruitment.settings",
            "DJANGO_READ_DOT_ENV": "false",
            "DEBUG": "false",
            "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2,
            "ALLOWED_HOSTS": "events.example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_suite_runs_on_postgresql_when_database_url_is_set(db):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"


def test_without_redis_url_tasks_run_in_process():
    if os.environ.get("REDIS_URL"):
        assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
    else:
        assert settings.CELERY_BROKER_URL == "memory://"


def _site_url(env_overrides: dict) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SITE_URL", "PORT", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "recruitment.settings", "DJANGO_READ_DOT_ENV": "false"},
        DEBUG="true",
        **env_overrides,
    )
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_links_in_emails_follow_the_port_make_run_serves_on():
    assert _site_url({}) == "http://127.0.0.1:8000"
    assert _site_url({"PORT": "8100"}) == "http://127.0.0.1:8100"
    assert _site_url({"PORT": "8100", "SITE_URL": "https://events.example.org/"}) == (
        "https://events.example.org"
    )


def test_make_run_hands_its_port_to_the_settings():
    # `PORT=8100 make run`: a recipe of the Makefile sees what `run` sees.
    print_site_url = (
        "print-site-url: ; @DJANGO_READ_DOT_ENV=false DEBUG=true $(PY) -c "
        "'from django.conf import settings; print(settings.SITE_URL)'"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "PORT"}}
    env.update(DJANGO_SETTINGS_MODULE="recruitment.settings", PORT="8100")

    result = subprocess.run(
        ["make", "-s", f"--eval={print_site_url}", "print-site-url"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "http://127.0.0.1:8100"
