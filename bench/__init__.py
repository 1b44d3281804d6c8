"""The performance benchmark (`make bench`): the data shape, a bare view and every page under load.

Nothing here is imported by the site. `python -m bench` seeds PostgreSQL databases of its
own, serves them with gunicorn (DEBUG off, 2 workers) under `bench.settings`, and prints per
page the requests per second, the ratio to a bare view measured in the same run, the
in-process time, the queries and the bytes.
"""
