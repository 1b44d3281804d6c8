"""Real ASGI servers for the live browser tests: uvicorn in a process of its own, serving the
test database with the test settings (Django's live_server is WSGI, which holds no stream).

The data a test writes must be committed for the server to see it (transactional tests).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

from django.conf import settings
from django.db import connection

# Seconds a server may take to answer its health check: generous, for a busy CI machine.
STARTUP = 120


def database_url() -> str:
    """The test database, as DATABASE_URL spells it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


def environment(*, mode: str, redis_url: str = "", prefix: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    prefix = prefix or f"test-{uuid.uuid4()}"
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        TESTS_SITE_MODE=mode,
        TESTS_KEY_PREFIX=prefix,
        DJANGO_LIVE_CHANNEL_PREFIX=f"{prefix}:live:",
        # As production serves (gunicorn.conf.py): a pool of 10 connections on PostgreSQL. The
        # live tests keep six streams open on one server, beside the pages' own requests.
        DJANGO_DB_POOL_SIZE="10",
    )
    return env


class AsgiServer:
    """uvicorn on a port of its own, listening before it starts (no race for the port)."""

    def __init__(self, env: dict, *, wait: bool = True):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--fd",
                str(listener.fileno()),
                "--log-level",
                "warning",
                "--timeout-graceful-shutdown",
                "1",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            pass_fds=[listener.fileno()],
        )
        listener.close()
        if wait:
            self.wait_until_up()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"uvicorn did not answer within {STARTUP} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
