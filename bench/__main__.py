"""`python -m bench`: seed the benchmark databases if needed, then measure every page.

    python -m bench [--rounds 3] [--duration 5] [--shapes main,100k] [--reseed] [--no-grant]
                    [--no-pages]

BENCH_DATABASE_URL names the main shape's database (default
postgres://postgres@127.0.0.1:5432/inmail_bench); the 100k shape uses the same name + `_100k`.
BENCH_REDIS_URL (default redis://127.0.0.1:6379/15, a Redis database of its own: it is emptied
before each shape) is the shared cache, as REDIS_URL in production; when it does not answer,
each process keeps its own, as `make run` does, and the report says so.
Each shape runs in a child process of its own, set up for its database.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/inmail_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument(
        "--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 5))
    )
    parser.add_argument("--shapes", default=os.environ.get("BENCH_SHAPES", "main,100k"))
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the databases")
    parser.add_argument("--no-grant", action="store_true", help="skip timing grant_credits")
    parser.add_argument(
        "--no-pages",
        action="store_true",
        help="seed and time grant_credits only: no page is measured, no load is run",
    )
    parser.add_argument("--run-shape", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_shape:
        run_shape(args)
        return
    if not args.no_pages:
        _ensure_wrk()
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    for shape in args.shapes.split(","):
        url = base if shape == "main" else f"{base}_{shape}"
        _ensure_database(url, drop=args.reseed)
        env = {
            **os.environ,
            "REDIS_URL": redis_url if _emptied(redis_url) else "",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "bench", "--run-shape", shape]
        command += ["--rounds", str(args.rounds), "--duration", str(args.duration)]
        if args.no_grant:
            command.append("--no-grant")
        if args.no_pages:
            command.append("--no-pages")
        subprocess.run(command, env=env, cwd=ROOT, check=True)


def _ensure_wrk() -> None:
    """wrk from the distribution when we may install it; the Python client otherwise."""
    if shutil.which("wrk") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print("Installing wrk (apt-get install wrk)…", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode:
        subprocess.run(["apt-get", "update", "-qq"], **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)


def _emptied(redis_url: str) -> bool:
    """Whether the bench's Redis database answers; emptied, so that no shape reads what
    another left (their members have the same ids)."""
    import redis

    try:
        with redis.Redis.from_url(redis_url, socket_connect_timeout=1) as client:
            client.flushdb()
    except redis.RedisError:
        return False
    return True


def _ensure_database(url: str, *, drop: bool) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if drop:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# The child: one shape, its database set up by the environment.


def run_shape(args) -> None:
    import django

    django.setup()
    from bench import measure

    measure.run(
        args.run_shape,
        rounds=args.rounds,
        duration=args.duration,
        grant=not args.no_grant,
        pages=not args.no_pages,
    )


if __name__ == "__main__":
    main()
