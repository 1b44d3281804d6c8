"""How messaging shows times: a read receipt's "Seen" time."""

from datetime import UTC, datetime, timedelta

import pytest

from inmail.templatetags.inmail_tags import seen_time

START = datetime(2026, 3, 14, 15, 45, tzinfo=UTC)  # a Saturday

pytestmark = pytest.mark.usefixtures("clock")


@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (timedelta(hours=6), "9:45 AM"),
        (timedelta(days=2), "Thu, 3:45 PM"),
        (timedelta(days=30), "Feb 12, 3:45 PM"),
        (timedelta(days=400), "Feb 7, 2025, 3:45 PM"),
    ],
    ids=["today", "this week", "this year", "before"],
)
def test_seen_is_the_time_today_else_the_day_as_the_inbox_shows_it_and_the_time(ago, shown):
    assert seen_time(START - ago) == shown
