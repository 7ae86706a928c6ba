"""Production settings leave ``devtools`` out, and start and pass ``check --deploy`` without it on the disk.

``devtools`` (demo seeding, the development identity provider, the embedded services, devstack) is installed by
``devtools.settings.development`` and ``.test`` only; ``oas.settings.production`` builds on ``oas.settings.base``,
which requires ``DATABASE_URL`` and ``REDIS_URL`` instead of starting embedded services.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import textwrap

from django.conf import settings

from tests.house.test_startup import ROOT, base_env

# Runs manage.py with every ``devtools`` import refused, as in an installation that has no devtools package.
_WITHOUT_DEVTOOLS = textwrap.dedent(
    """
    import sys

    class NoDevtools:
        def find_spec(self, name, path=None, target=None):
            if name == "devtools" or name.startswith("devtools."):
                raise ModuleNotFoundError(f"No module named {name!r} (devtools is not installed)")
            return None

    sys.meta_path.insert(0, NoDevtools())
    sys.argv = ["manage.py", *sys.argv[1:]]
    import manage

    manage.main()
    if "devtools" in sys.modules:
        raise SystemExit("devtools was imported")
    """
)


def _production_env(**overrides: str) -> dict[str, str]:
    return base_env(
        DJANGO_SETTINGS_MODULE="oas.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="oas.example.no",
        EMAIL_HOST="smtp.example.no",
        **overrides,
    )


def _run_without_devtools(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "-c", _WITHOUT_DEVTOOLS, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_on_production_settings_with_devtools_unimportable():
    result = _run_without_devtools("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_do_not_install_devtools():
    code = "import django; django.setup(); from django.conf import settings; print(','.join(settings.INSTALLED_APPS))"
    result = subprocess.run(  # noqa: S603 - our own settings
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    apps = result.stdout.strip().split(",")
    assert "devtools" not in apps
    assert "oas.ops" in apps  # migrate and flush as the tables' owner are needed in production too


def test_production_refuses_to_start_without_database_url_instead_of_starting_an_embedded_one():
    env = _production_env(DATABASE_URL="")
    result = _run_without_devtools("check", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "OAS: DATABASE_URL is required (the development settings, devtools.settings.development, start an embedded "
        "PostgreSQL when it is unset)."
    ]


def test_production_refuses_to_start_without_redis_url():
    result = _run_without_devtools("check", env=_production_env(REDIS_URL=""))
    assert result.returncode == 2
    assert "REDIS_URL is required" in result.stderr


def test_the_development_and_test_settings_install_devtools():
    assert "devtools" in settings.INSTALLED_APPS
    assert settings.SETTINGS_MODULE == "devtools.settings.test"
