"""`python -m bench.streams` (`make bench-streams`): 1,000 live streams on one server process.

Seeds BENCH_STREAMS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/inmail_bench_streams)
with 1,000 members in connected pairs, each with a session; starts one uvicorn process (live
events in its memory, as without REDIS_URL; BENCH_STREAMS_REDIS_URL puts them through Redis);
opens one stream per member; then sends 1,000 messages among them through the site's compose
form (each member writes once to their pair), and measures, for each, the time from the
moment its POST left to the moment its recipient's stream brought it. Prints the latency
percentiles, the messages' throughput and the server's memory (RSS) idle, with the streams
open, and at the end. Not a test: nothing asserts a time.

    python -m bench.streams [--streams 1000] [--messages 1000] [--concurrency 20] [--rate 0]

As fast as it can (the default), the latency is mostly the queue in front of a saturated
process; `--rate 20` sends 20 messages a second on schedule and measures the latency of a
process that keeps up.
"""

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/inmail_bench_streams"
PREFIX = "bench-stream"
MARKER = re.compile(rb"bench-msg-(\d+)-")
CSRF = "benchstreamscsrftoken0123456789a"
OPEN_BATCH = 50  # a CSRF secret of our own, as cookie and header


def environment(url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_CONN_MAX_AGE": "0",
        "DJANGO_DB_POOL_SIZE": os.environ.get("DJANGO_DB_POOL_SIZE", "10"),  # as in production
        "DJANGO_RATE_LIMIT_MESSAGE": "1000000/h",
        "DJANGO_LIVE_CHANNEL_PREFIX": f"bench-{uuid.uuid4()}:",
    }


def seed(count: int) -> list[tuple[int, str, str]]:
    """(member id, slug, session key) for `count` members in connected pairs (0-1, 2-3, ...)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.bulk import (
        NewConnection,
        NewMember,
        connections_bulk_create,
        members_bulk_create,
    )
    from accounts.models import Member
    from core.sessions import SessionStore

    call_command("migrate", verbosity=0)
    mine = Member.objects.filter(email__startswith=f"{PREFIX}-")
    if mine.count() < count:
        mine.delete()
        now = timezone.now()
        ids = members_bulk_create(
            NewMember(
                email=f"{PREFIX}-{n}@example.com",
                first_name="Stream",
                last_name=f"Member {n}",
                password=make_password(None),
                date_joined=now,
            )
            for n in range(count)
        )
        connections_bulk_create(
            NewConnection(ids[n], ids[n + 1], now) for n in range(0, count - 1, 2)
        )
    members = list(mine.order_by("pk")[:count])
    out = []
    for member in members:
        session = SessionStore()
        session[SESSION_KEY] = str(member.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.MemberBackend"
        session[HASH_SESSION_KEY] = member.get_session_auth_hash()
        session.create()
        out.append((member.pk, member.slug, session.session_key))
    return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Stream:
    def __init__(self, index: int, session: str):
        self.index = index
        self.session = session
        self.opened = asyncio.Event()

    async def run(self, port: int, received: dict, expected: dict) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (
                "GET /messaging/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: sessionid={self.session}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        tail = b""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                now = time.perf_counter()
                if not self.opened.is_set() and b"retry:" in tail + data:
                    self.opened.set()
                for match in MARKER.finditer(tail + data):
                    n = int(match.group(1))
                    if expected.get(n) == self.index and n not in received:
                        received[n] = now
                tail = (tail + data)[-64:]
        finally:
            writer.close()


async def post_message(port: int, session: str, slug: str, body: str) -> int:
    form = f"body={body}&token={uuid.uuid4()}".encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"POST /messaging/compose/{slug}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionid={session}; csrftoken={CSRF}\r\nX-CSRFToken: {CSRF}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + form
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()
    writer.close()
    return int(status_line.split()[1])


async def measure(port: int, members, messages: int, concurrency: int, rate: float, server_pid):
    streams = [Stream(i, session) for i, (_pk, _slug, session) in enumerate(members)]
    received: dict[int, float] = {}
    expected: dict[int, int] = {}
    sent: dict[int, float] = {}
    answered: dict[int, float] = {}
    # Opened 50 at a time: each opening request holds a database connection until its stream
    # has started, and PostgreSQL allows 100 by default.
    tasks = []
    started = time.perf_counter()
    for first in range(0, len(streams), OPEN_BATCH):
        batch = streams[first : first + OPEN_BATCH]
        tasks += [asyncio.create_task(s.run(port, received, expected)) for s in batch]
        await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in batch)), 300)
    print(f"{len(streams)} streams open in {time.perf_counter() - started:.1f} s")
    await asyncio.sleep(2)
    rss_open = rss_kib(server_pid)

    slots = asyncio.Semaphore(concurrency)
    statuses = []

    async def send(n: int):
        sender = n % len(members)
        recipient = sender ^ 1  # the pair's other member
        expected[n] = recipient
        if rate:  # open loop: message n leaves at its time, whatever the server's pace
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
        async with slots:
            sent[n] = time.perf_counter()
            body = f"bench-msg-{n}-{uuid.uuid4().hex[:6]}"
            statuses.append(
                await post_message(port, members[sender][2], members[recipient][1], body)
            )
            answered[n] = time.perf_counter()

    began = time.perf_counter()
    await asyncio.gather(*(send(n) for n in range(messages)))
    posted = time.perf_counter() - began
    deadline = time.perf_counter() + 30
    while len(received) < messages and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies = sorted((received[n] - sent[n]) * 1000 for n in received)
    requests = sorted((answered[n] - sent[n]) * 1000 for n in answered)
    return latencies, requests, statuses, posted, rss_open


def percentile(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.streams")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="messages per second, sent on schedule (0: as fast as --concurrency allows)",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_STREAMS_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_STREAMS_REDIS_URL", "")
    from bench.__main__ import _ensure_database

    _ensure_database(url, drop=False)
    env = environment(url, redis_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    members = seed(args.streams)
    port = free_port()  # not make bench's (8765): the two may run at once
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "1",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        from bench.measure import _wait_for

        _wait_for(f"http://127.0.0.1:{port}/healthz")
        rss_idle = rss_kib(server.pid)
        latencies, requests, statuses, posted, rss_open = asyncio.run(
            measure(port, members, args.messages, args.concurrency, args.rate, server.pid)
        )
        rss_end = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    failed = sum(1 for s in statuses if s >= 400)
    print(f"backend: {'Redis' if redis_url else 'in-process'}, one uvicorn process")
    print(
        f"{args.messages} messages posted in {posted:.1f} s "
        f"({args.messages / posted:.0f}/s, "
        + (f"{args.rate:g}/s asked, " if args.rate else "")
        + f"at most {args.concurrency} at a time), {failed} refused"
    )
    print(f"delivered to the recipient's stream: {len(latencies)} of {args.messages}")
    if latencies:
        print(
            "latency from POST to the recipient's stream: "
            f"p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
            f"max {latencies[-1]:.0f} ms, mean {statistics.mean(latencies):.0f} ms"
        )
    if requests:
        print(
            "the POST itself (send, commit, redirect): "
            f"p50 {percentile(requests, 50):.0f} ms, p99 {percentile(requests, 99):.0f} ms"
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"server RSS: {rss_idle / 1024:.0f} MiB idle, {rss_open / 1024:.0f} MiB with "
        f"{args.streams} streams open, {rss_end / 1024:.0f} MiB after the messages"
    )


if __name__ == "__main__":
    main()
