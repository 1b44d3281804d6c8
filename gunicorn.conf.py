"""gunicorn's settings for production: `make serve-prod`, or `gunicorn config.asgi:application`
run from this directory (gunicorn reads ./gunicorn.conf.py by itself).

gunicorn manages uvicorn workers serving Django's ASGI application. Each worker's event loop
holds every open connection, so a client that dribbles its headers (slowloris) costs one socket,
not one of a handful of sync workers. In production a TLS-terminating reverse proxy (nginx,
Caddy) sits in front and buffers slow clients as well: see the README.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "uvicorn_worker.UvicornWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
# A worker that does not check in for this long is restarted (a view stuck on a lock).
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections are closed after this many seconds.
keepalive = 5
# The proxy on this machine is trusted for X-Forwarded-For/-Proto: the client's address (which
# rate limits and sign-in lockouts count by) is the real one, not the proxy's.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"

# Under ASGI each request's synchronous code runs in a thread of its own, so a persistent
# connection would stay open in an idle thread: Django's documentation says to turn them off.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "0")
# Instead, each worker keeps a pool of connections on PostgreSQL (config/settings.py): with the
# default 2 workers per core, 2 cores hold at most 40 of PostgreSQL's 100.
os.environ.setdefault("DJANGO_DB_POOL_SIZE", "10")
