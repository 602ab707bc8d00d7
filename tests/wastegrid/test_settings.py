"""`manage.py check --deploy`: clean with a production environment, and the local demo stays plain http."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "WASTEGRID_DEBUG": "0",
    "WASTEGRID_SECRET_KEY": secrets.token_urlsafe(50),
    "WASTEGRID_ALLOWED_HOSTS": "wastegrid.example.org",
    "WASTEGRID_SECURE_COOKIES": "1",
    "WASTEGRID_SSL_REDIRECT": "1",
    "WASTEGRID_HSTS_SECONDS": "31536000",
    "WASTEGRID_HSTS_INCLUDE_SUBDOMAINS": "1",
    "WASTEGRID_HSTS_PRELOAD": "1",
    "WASTEGRID_PROXY_SSL_HEADER": "1",
}


def _check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WASTEGRID_", "DJANGO_"))}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = _check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_local_demo_defaults_leave_https_off() -> None:
    # Off by default: the demo serves plain http on 127.0.0.1, so the deploy check names what to turn on.
    result = _check_deploy({})
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr + result.stdout
