"""Twenty InMails sent at the same moment on a balance of five: exactly five go out; two
grant_credits runs at once grant each allowance once.

Each thread uses its own database connection, so the spends really race: the member lock
(SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) is what makes them take turns.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from core.errors import Conflict, DomainError
from premium import services, settlement
from premium.models import CreditGrant, LedgerEntry
from tests.factories import MemberFactory, subscribe

SPENDERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_spends_on_a_balance_of_five_succeed_exactly_five_times(
    premium_plans,
):
    member = MemberFactory()
    assert subscribe(member).balance == 5
    start = threading.Barrier(SPENDERS)
    outcomes = [None] * SPENDERS

    def spend(index):
        try:
            start.wait(timeout=30)
            outcomes[index] = services.credits_spend(member=member, note=f"Spender {index}")
        except DomainError as error:
            outcomes[index] = error
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's index
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(index,)) for index in range(SPENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    unexpected = [error for error in outcomes if not isinstance(error, LedgerEntry | DomainError)]
    assert unexpected == []
    spent = [entry for entry in outcomes if isinstance(entry, LedgerEntry)]
    refused = [error for error in outcomes if isinstance(error, DomainError)]
    assert len(spent) == 5
    assert len(refused) == 15
    assert {type(error) for error in refused} == {Conflict}
    assert sorted(entry.balance_after for entry in spent) == [0, 1, 2, 3, 4]
    assert services.premium_status(member=member).balance == 0
    assert LedgerEntry.objects.filter(member=member, reason="spend").count() == 5
    assert LedgerEntry.objects.filter(member=member).count() == 6
    assert list(CreditGrant.objects.filter(member=member).values_list("remaining", flat=True)) == [
        0
    ]
    assert not CreditGrant.objects.filter(remaining__lt=0).exists()


RUNS = 2
DUE = 40


@pytest.mark.django_db(transaction=True)
def test_two_grant_credits_runs_at_once_grant_each_allowance_once(premium_plans):
    """Each run locks a batch's members before reading what is due, so the second finds
    settled what the first settled, whichever of them gets to a batch first."""
    start = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        members = [MemberFactory() for _ in range(DUE)]
        for member in members:
            subscribe(member)
        clock.move_to(start + timedelta(days=32))
        ready = threading.Barrier(RUNS)
        outcomes = [None] * RUNS

        def run(index):
            try:
                ready.wait(timeout=30)
                outcomes[index] = settlement.settle_due(batch_size=3)
            except Exception as error:  # noqa: BLE001 - reported below
                outcomes[index] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(index,)) for index in range(RUNS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert not any(thread.is_alive() for thread in threads)
        assert all(isinstance(settled, int) for settled in outcomes), outcomes
        assert sum(outcomes) == DUE
        grants = LedgerEntry.objects.filter(member__in=members, reason=LedgerEntry.Reason.GRANT)
        assert grants.count() == 2 * DUE
        assert set(grants.values_list("balance_after", flat=True)) == {5, 10}
        for member in members:
            assert services.premium_status(member=member).balance == 10
        assert settlement.settle_due() == 0
