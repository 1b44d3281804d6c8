"""The settings module is imported in a fresh interpreter: what a deploy gets from its
environment alone."""

import json
import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import json, config.settings as s; print(json.dumps({name: getattr(s, name) for name in "
    "['DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE']}))"
)


def run_python(code: str, **environ) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter, with only `environ` from the DJANGO_* variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def import_settings(**environ):
    """Import config.settings with only `environ` from the DJANGO_* variables."""
    return run_python(SHOW, **environ)


def test_a_deploy_without_a_secret_key_refuses_to_start_with_a_clear_message():
    result = import_settings()

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is not set." in (
        result.stderr
    )
    assert "For local development set DJANGO_DEBUG=1" in result.stderr


def test_debug_off_is_not_a_way_around_the_secret_key():
    result = import_settings(DJANGO_DEBUG="0")

    assert "DJANGO_SECRET_KEY is not set." in result.stderr


def test_development_mode_is_asked_for_and_then_needs_no_secret():
    result = import_settings(DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["DEBUG"] is True
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0
    assert shown["SESSION_COOKIE_SECURE"] is False


def test_a_deploy_with_a_secret_is_not_in_debug_and_is_https_only_by_default():
    result = import_settings(DJANGO_SECRET_KEY="a-secret-only-this-test-knows")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_https_redirect_and_hsts_are_configurable():
    result = import_settings(
        DJANGO_SECRET_KEY="a-secret-only-this-test-knows",
        DJANGO_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
    )

    shown = json.loads(result.stdout)
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 3600
    assert shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert shown["SECURE_HSTS_PRELOAD"] is False


def test_the_suite_runs_on_the_production_settings():
    # pytest-django would force DEBUG off anyway; this says the settings were imported that way.
    assert settings.DEBUG is False
    assert settings.SECRET_KEY
    assert not settings.SECRET_KEY.startswith("django-insecure")
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600


def test_production_caches_compiled_templates():
    """No `loaders` in TEMPLATES: Django wraps its loaders in the cached loader, so a template
    is read and compiled once per process, not on every request."""
    show = (
        "import django, json; django.setup(); from django.template import engines; "
        "loaders = engines['django'].engine.template_loaders; "
        "print(json.dumps([type(loader).__module__ for loader in loaders] + "
        "[type(inner).__module__ for inner in loaders[0].loaders]))"
    )
    result = run_python(show, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.template.loaders.cached",
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]


def show_database(**environ):
    show = (
        "import json, config.settings as s; db = s.DATABASES['default']; "
        "print(json.dumps({'pool': db.get('OPTIONS', {}).get('pool'), "
        "'CONN_MAX_AGE': db['CONN_MAX_AGE'], "
        "'prepared': db.get('OPTIONS', {}).get('prepare_threshold') is not None}))"
    )
    result = run_python(show, DJANGO_SECRET_KEY="x" * 50, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_pool_of_connections_on_postgresql_when_asked_for():
    url = "postgres://inmail@db.internal:5432/inmail"

    assert show_database(DATABASE_URL=url, DJANGO_DB_POOL_SIZE="10") == {
        "pool": {"min_size": 1, "max_size": 10, "timeout": 10},
        "CONN_MAX_AGE": 0,
        "prepared": True,
    }
    # Not asked for: persistent connections, as before; SQLite has no pool.
    assert show_database(DATABASE_URL=url) == {"pool": None, "CONN_MAX_AGE": 60, "prepared": True}
    assert (
        show_database(DATABASE_URL="sqlite:///x.sqlite3", DJANGO_DB_POOL_SIZE="10")["pool"] is None
    )


def test_production_serves_with_a_pool_per_worker():
    result = run_python(
        "import runpy, os; runpy.run_path('gunicorn.conf.py'); "
        "print(os.environ['DJANGO_DB_POOL_SIZE'])"
    )

    assert result.stdout.strip() == "10", result.stderr


def test_compiled_queries_are_prepared_only_on_connections_that_are_kept():
    url = "postgres://inmail@db.internal:5432/inmail"

    assert show_database(DATABASE_URL=url, DJANGO_CONN_MAX_AGE="0")["prepared"] is False
    # Behind a transaction-mode pooler that cannot keep prepared statements.
    assert show_database(DATABASE_URL=url, DJANGO_DB_PREPARE="0")["prepared"] is False
    assert show_database(DATABASE_URL="sqlite:///x.sqlite3")["prepared"] is False
