# Two commands do everything on a fresh machine with Python 3.12+:
#   make run   environment, install, migrate, demo data when the database is empty, serve :8000
#              (uvicorn, reloading on changes) with the task worker (manage.py db_worker) beside it
#   make test  environment, install, the whole suite (PostgreSQL when DATABASE_URL is set)
#   make serve-prod  the production server (gunicorn + uvicorn workers); needs the production
#                    environment (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, ...): see README
#   make test-fast  the suite alone, keeping the test databases between runs (--reuse-db)

PYTHON ?= python3
UV_VERSION := 0.13.8
BOOT := .uv
UV := $(BOOT)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in parallel processes (pytest-xdist), one per CPU core, each with its own test
# database: the browser tests spend most of their time waiting on Chromium and the server.
# TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= auto
# What `make run` watches: it restarts the server when Python code or a template changes. The
# live streams it holds are ended after 1 s, and the pages reconnect to the new process.
RELOAD := $(foreach dir,config core accounts premium inmail demo templates,--reload-dir $(dir)) \
	--reload-include '*.html'
# uv must use the machine's Python, never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test test-fast env lint format check migrate seed serve serve-prod clean bench bench-streams

$(UV):
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

env: $(UV)
	$(UV) sync --locked --python "$$(command -v $(PYTHON))" --quiet

# Development mode is asked for, never the default: without DJANGO_DEBUG=1 the settings are a
# deploy's, which refuse to start without a secret key.
run: export DJANGO_DEBUG = 1
# uvicorn runs each request's synchronous code in a thread of its own: no persistent
# database connections under ASGI (as gunicorn.conf.py does for production).
run: export DJANGO_CONN_MAX_AGE ?= 0
run: env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@# The task worker runs beside the server, in a process group of its own (setsid) so that
	@# the trap stops it, and its autoreloader's child, whenever the server stops.
	setsid $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill -- -$$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) \
		--reload $(RELOAD) --timeout-graceful-shutdown 1

test: env
	DJANGO_DEBUG=1 $(PY) manage.py check --fail-level WARNING
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Production: gunicorn managing uvicorn workers (ASGI), configured by gunicorn.conf.py, behind
# a TLS-terminating reverse proxy. Run `manage.py migrate` and `collectstatic` first (README).
serve-prod: env
	$(VENV)/bin/gunicorn config.asgi:application
# Locally, between two runs: skips the checks and keeps the test database (new migrations
# are applied to it; PYTEST_ARGS=--create-db starts over). `make test` and CI always create
# new databases.
test-fast: env
	$(PY) -m pytest -n $(TEST_WORKERS) --reuse-db $(PYTEST_ARGS)

# The benchmark (PostgreSQL): seeds inmail_bench and inmail_bench_100k on first use (a few
# minutes), then measures every page against a bare view. BENCH_DATABASE_URL, BENCH_ROUNDS,
# BENCH_DURATION, BENCH_SHAPES=main,100k; BENCH_ARGS="--reseed" rebuilds the data.
bench: env
	$(PY) -m bench $(BENCH_ARGS)

# 1,000 live streams on one uvicorn process, 1,000 messages among them: delivery latency and
# the server's memory (PostgreSQL: BENCH_STREAMS_DATABASE_URL, default inmail_bench_streams).
bench-streams: env
	$(PY) -m bench.streams $(BENCH_ARGS)

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: env
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) $(BOOT) staticfiles .pytest_cache .ruff_cache
