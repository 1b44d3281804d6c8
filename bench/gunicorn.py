"""gunicorn's settings for the benchmark (`-c python:bench.gunicorn`), instead of the project's
gunicorn.conf.py: sync workers, as the issue's reference numbers were measured, and no access
log (a line per request would weigh most on the bare view)."""

workers = 2
worker_class = "sync"
loglevel = "warning"
accesslog = None
