"""Issue 8 "Hostile input": production settings.

`manage.py check --deploy` is clean with production-like environment
variables, and session/CSRF cookies are secure whenever DEBUG is off. Each
check runs in a fresh process: settings are read from the environment once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.e2e.servers import BASE_DIR

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3P9!x7Qz-production-like-secret-key-with-enough-entropy-8f2a91c4d5e6b7",
    "ALLOWED_HOSTS": "wedding.example.com",
    "DATABASE_URL": "sqlite:////tmp/confetti-deploy-check.sqlite3",
    # No EMAIL_BACKEND: with DEBUG off the default is SMTP (Django 6.1's mail.E001
    # refuses the console backend in production).
}


def _run(args: list[str], env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "EMAIL_BACKEND"}
    }
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "wedding.settings"
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_cookies_and_transport_are_secure_when_debug_is_off():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG']}))"
    )
    result = _run(["-c", code], PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_production_refuses_to_start_without_secret_key_or_hosts():
    no_key = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], no_key)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr

    no_hosts = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = _run(["manage.py", "check"], no_hosts)
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr
