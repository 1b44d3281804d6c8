"""The production server (`make serve-prod`) runs Django's ASGI application: the same pages,
headers and health check through it."""

import os
import runpy
from importlib import import_module
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient


@pytest.mark.django_db
def test_the_asgi_application_serves_pages_with_their_security_headers():
    response = async_to_sync(AsyncClient().get)("/accounts/login/")

    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_asgi_application_answers_the_health_check():
    response = async_to_sync(AsyncClient().get)("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_gunicorn_runs_uvicorn_workers_without_persistent_connections():
    # gunicorn reads ./gunicorn.conf.py by itself; its environment change must not leak here.
    with mock.patch.dict("os.environ"):
        os.environ.pop("DJANGO_CONN_MAX_AGE", None)
        os.environ.pop("GUNICORN_BIND", None)
        config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
        conn_max_age = os.environ["DJANGO_CONN_MAX_AGE"]

    module, name = config["worker_class"].rsplit(".", 1)
    assert getattr(import_module(module), name).__name__ == "UvicornWorker"
    assert conn_max_age == "0"
    assert config["bind"] == "127.0.0.1:8000"
