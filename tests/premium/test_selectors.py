"""Reads of Premium that pages show before anything is written."""

from datetime import UTC, datetime

import pytest
import time_machine

from premium import selectors


@pytest.mark.parametrize(
    ("now", "next_allowance", "expiry"),
    [
        (
            datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
            datetime(2026, 4, 14, 9, 30, tzinfo=UTC),
            datetime(2026, 6, 12, 9, 30, tzinfo=UTC),
        ),
        # A month later on the month's last day when it is shorter.
        (
            datetime(2026, 1, 31, 23, 0, tzinfo=UTC),
            datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
            datetime(2026, 5, 1, 23, 0, tzinfo=UTC),
        ),
    ],
)
def test_checkout_preview_promises_next_months_allowance_and_expiry_in_90_days(
    now, next_allowance, expiry
):
    with time_machine.travel(now, tick=False):
        preview = selectors.checkout_preview()

    assert preview.next_allowance_at == next_allowance
    assert preview.expires_at == expiry
