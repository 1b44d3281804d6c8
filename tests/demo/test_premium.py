"""Who is Premium in the demo, drawn as plain Python: no database."""

import random
from collections import Counter

import pytest

from demo.premium import (
    PLAN_WEIGHTS,
    SUBSCRIBED_MAX_MINUTES,
    _apportion,
    draw_subscribers,
)


@pytest.mark.parametrize("total", [0, 1, 7, 50, 1001])
def test_apportion_splits_the_whole_total_by_weight(total):
    counts = _apportion(PLAN_WEIGHTS, total)

    assert sum(counts.values()) == total
    whole = sum(PLAN_WEIGHTS.values())
    for slug, weight in PLAN_WEIGHTS.items():
        assert abs(counts[slug] - total * weight / whole) < 1


def test_a_quarter_of_the_members_subscribe_on_a_mix_of_plans():
    generated = range(7, 207)

    subscribers = draw_subscribers(random.Random(1), generated=generated)

    assert len(subscribers) == 50
    members = [each.member for each in subscribers]
    assert members == sorted(set(members))
    assert set(members) <= set(generated)
    assert Counter(each.plan for each in subscribers) == Counter(_apportion(PLAN_WEIGHTS, 50))
    assert 1 <= sum(each.open_profile for each in subscribers) < 50
    cancelled = [each for each in subscribers if each.cancelled is not None]
    assert cancelled
    for each in subscribers:
        assert 60 <= each.started < SUBSCRIBED_MAX_MINUTES
        assert each.cancelled is None or 0 < each.cancelled < each.started
    # Many have spent nothing, some a few credits, a few their whole allowance (None).
    assert {0, None} <= {each.spent for each in subscribers}
    assert any(each.spent for each in subscribers)


def test_the_same_seed_draws_the_same_subscribers():
    def draw(seed):
        return draw_subscribers(random.Random(seed), generated=range(7, 107))

    assert draw(3) == draw(3)
    assert draw(3) != draw(4)
