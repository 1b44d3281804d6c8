import sys

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

# What a database that is down, restarting or unreachable raises, on PostgreSQL and SQLite,
# and what Redis (the shared cache the rate limits count in) raises when it does not answer.
OUTAGES = (OperationalError, InterfaceError, redis.ConnectionError, redis.TimeoutError)


def server_error(request):
    """handler500: an uncaught exception anywhere (a view, a template, a middleware). A database
    or cache outage is the site being unavailable for a moment, not a bug: 503 with Retry-After.

    Both pages render without the request's context, whose processors would query the database.
    """
    if isinstance(sys.exception(), OUTAGES):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
