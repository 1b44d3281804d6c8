"""One shape's run: seed when needed, measure in process, then under load, then grant_credits."""

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.management import call_command
from django.db import connection, transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from accounts.models import Connection, Member
from bench import load, seed
from core.sessions import SessionStore
from inmail.models import Participant

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
IN_PROCESS_RUNS = int(os.environ.get("BENCH_IN_PROCESS_RUNS", 15))
HTMX_PANE = {"HX-Request": "true", "HX-Target": "thread-pane"}


@dataclass
class Target:
    name: str
    path: str
    viewer: Member | None
    headers: dict[str, str] = field(default_factory=dict)
    explain: bool = False
    rps: list[float] = field(default_factory=list)
    ms: float = 0.0
    queries: int = 0
    bytes: int = 0
    plan: str = ""


def run(shape_name: str, *, rounds: int, duration: float, grant: bool, pages: bool = True) -> None:
    shape = seed.SHAPES[shape_name]
    shared = settings.REDIS_URL or "none: no Redis answered, each process has its own memory"
    print(f"\n== Shape {shape_name}: {connection.settings_dict['NAME']}", flush=True)
    print(f"   shared cache: {shared}", flush=True)
    call_command("migrate", verbosity=0)
    if not seed.is_seeded():
        print("Seeding…", flush=True)
        started = time.perf_counter()
        seed.seed(shape)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    if pages:
        call_command("collectstatic", interactive=False, verbosity=0)
        targets = _targets(shape_name)
        _in_process(targets)
        _under_load(targets, rounds=rounds, duration=duration)
        _report(shape_name, targets, rounds=rounds, duration=duration)
    if grant and shape.premium_due:
        _time_grant_credits()


def _targets(shape_name: str) -> list[Target]:
    inbox = Member.objects.get(email=seed.INBOX_VIEWER)
    network = Member.objects.get(email=seed.NETWORK_VIEWER)
    # Signed out: a bare Django view reads no session (PrivatePagesMiddleware would, for a
    # signed-in request, which is no longer the yardstick).
    targets = [Target("bare view", "/__bench__/bare/", None)]
    if shape_name == "main":
        read = (
            Participant.objects.filter(member=inbox, unread=False, folder="inbox")
            .order_by("-last_message_at")
            .values_list("conversation_id", flat=True)
            .first()
        )
        thread = f"/messaging/thread/{read}/"
        second = _second_degree(inbox)
        targets += [
            Target("inbox", "/messaging/", inbox),
            Target("conversation (full page)", thread, inbox),
            Target("conversation (htmx pane)", thread, inbox, HTMX_PANE),
            Target("profile (2nd degree)", second.get_absolute_url(), inbox),
            Target("home", "/", inbox, explain=True),
            Target("search ?q=manager", "/search/?q=manager", inbox, explain=True),
            Target("My Network (500 invitations)", "/mynetwork/", network),
            Target("My Premium", "/premium/", inbox),
            Target("unread poll", "/messaging/unread/", inbox, {"HX-Request": "true"}),
        ]
    else:
        targets += [
            Target("home", "/", inbox, explain=True),
            Target("search ?q=manager", "/search/?q=manager", inbox, explain=True),
        ]
    cookies = {}
    for target in targets:
        if target.viewer is None:
            continue
        if target.viewer.pk not in cookies:
            cookies[target.viewer.pk] = _signed_in_cookies(target.viewer)
        target.headers = {"Cookie": cookies[target.viewer.pk], **target.headers}
    return targets


def _signed_in_cookies(member: Member) -> str:
    """What a signed-in browser sends: its session, and the CSRF cookie that the sign-in page
    set (and signing in rotated). Without it, every page would make a new CSRF secret and set
    the cookie again, which a browser asks of the site once."""
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    return f"sessionid={_session(member)}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"


def _second_degree(viewer: Member) -> Member:
    theirs = Connection.objects.filter(member=viewer).values("other")
    return (
        Member.objects.filter(connections__other__in=theirs)
        .exclude(pk=viewer.pk)
        .exclude(pk__in=theirs)
        .order_by("pk")
        .first()
    )


def _session(member: Member) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = _session_backend()
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.create()
    return store.session_key


def _session_backend() -> str:
    """The first backend that can load a signed-in member, as Django's test client picks it:
    the first in AUTHENTICATION_BACKENDS (axes) only refuses sign-ins and has no get_user."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(load_backend(path), "get_user"):
            return path
    raise RuntimeError("no authentication backend can load a user")


def _in_process(targets: list[Target]) -> None:
    client = Client()
    for target in targets:
        headers = {k: v for k, v in target.headers.items() if k != "Cookie"}
        client.cookies.clear()
        client.cookies.load(target.headers.get("Cookie", ""))

        def get(target=target, headers=headers):
            response = client.get(target.path, headers=headers)
            assert response.status_code == 200, (target.path, response.status_code)
            return response

        for _ in range(3):
            get()
        timings = []
        for _ in range(IN_PROCESS_RUNS):
            started = time.perf_counter()
            get()
            timings.append((time.perf_counter() - started) * 1000)
        target.ms = statistics.median(timings)
        with CaptureQueriesContext(connection) as captured, _unprepared():
            response = get()
        target.queries = len(captured)
        target.bytes = len(response.content)
        if target.explain:
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {slowest['sql']}")
                target.plan = "\n".join(row[0] for row in cursor.fetchall())
    print("  in-process measurements done", flush=True)


@contextmanager
def _unprepared():
    """Queries as SQL text with their values (for EXPLAIN): prepared ones are logged as the
    statement and its parameters apart."""
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None
    try:
        yield
    finally:
        connection.connection.prepare_threshold = threshold


def _under_load(targets: list[Target], *, rounds: int, duration: float) -> None:
    base = f"http://127.0.0.1:{PORT}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--config=python:bench.gunicorn",
            f"--bind=127.0.0.1:{PORT}",
        ],
        cwd=ROOT,
        env=os.environ,
    )
    try:
        _wait_for(base + targets[0].path)
        print(f"  load: {load.tool()}, {rounds} rounds × {duration:g} s per page", flush=True)
        for round_ in range(rounds):
            for target in targets:
                # Requests a slow page left queued (wrk gave up on them) are served first.
                _wait_for(base + targets[0].path)
                target.rps.append(
                    load.requests_per_second(base + target.path, target.headers, duration)
                )
            print(f"  round {round_ + 1} done", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str, timeout: float = 300) -> None:
    # Generous: on a busy machine a slow page can leave many seconds of queued requests.
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=30).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _report(shape_name: str, targets: list[Target], *, rounds: int, duration: float) -> None:
    bare = statistics.median(targets[0].rps)
    print(
        f"\n{shape_name}: gunicorn 2 workers, DEBUG off, {load.tool()} -t2 -c8, "
        f"{rounds} interleaved rounds of {duration:g} s\n"
    )
    header = (
        f"{'page':<30} {'req/s min':>9} {'median':>8} {'max':>8} {'% bare':>7} "
        f"{'in-proc ms':>10} {'queries':>7} {'bytes':>8}"
    )
    print(header)
    print("-" * len(header))
    for target in targets:
        rps = target.rps
        print(
            f"{target.name:<30} {min(rps):>9.1f} {statistics.median(rps):>8.1f} {max(rps):>8.1f} "
            f"{statistics.median(rps) / bare * 100:>6.2f}% {target.ms:>10.1f} "
            f"{target.queries:>7} {target.bytes:>8,}"
        )
    for target in targets:
        if target.plan:
            print(f"\nEXPLAIN ANALYZE, the slowest query of {target.name} ({shape_name}):")
            print(target.plan)


def _time_grant_credits() -> None:
    from premium import selectors

    due = selectors.members_due().count()
    print(f"\ngrant_credits with {due:,} members due…", flush=True)

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        # Rolled back, so that the next run finds everyone due again.
        with transaction.atomic():
            call_command("grant_credits")
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    print(f"grant_credits: {due:,} members in {elapsed:.1f} s = {due / elapsed:,.0f} members/s")
