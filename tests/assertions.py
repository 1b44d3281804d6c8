"""Assertions the test modules share."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.errors import ServiceError


def queries_for(client, url):
    """How many queries a successful GET of `url` costs."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@contextmanager
def refused(snapshot, message, status_code=400):
    """The block raises a ServiceError with this message and status, and `snapshot()` (every
    row the service could touch) is unchanged: the refusal stored nothing."""
    before = snapshot()
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.message == message
    assert info.value.status_code == status_code
    assert snapshot() == before
