"""Premium pages cost the same number of queries with a short and with a long credit history."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from premium import services
from tests.factories import subscribe

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def grow_history(member, days):
    """A day of sending and credit backs for each of `days` days: entries and lots pile up."""
    with time_machine.travel(START, tick=False) as traveller:
        subscribe(member, "sales-navigator-core")
        for day in range(days):
            traveller.move_to(START + timedelta(days=day, hours=1))
            services.credits_spend(member=member)
            services.credits_return(member=member, note="Replied")


def page_queries(client, url):
    with time_machine.travel(START + timedelta(days=80), tick=False):
        # The first read settles the allowances due since the last one: writes that depend on
        # how long the member was away, not on the size of the history.
        client.get(reverse("premium:my_premium"))
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
    assert response.status_code == 200
    return len(context)


PAGES = {
    "my premium": reverse("premium:my_premium") + "?page=2",
    "checkout": reverse("premium:checkout", kwargs={"slug": "premium-pro"}),
    "cancel": reverse("premium:cancel"),
    "settings": reverse("accounts:settings"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_premium_page_query_count_does_not_grow_with_the_history(client, member, other, page):
    grow_history(member, 12)
    grow_history(other, 70)

    client.force_login(member)
    small = page_queries(client, PAGES[page])
    client.force_login(other)
    large = page_queries(client, PAGES[page])

    assert small == large
    assert large <= 7  # the top bar's counts are read with the session
