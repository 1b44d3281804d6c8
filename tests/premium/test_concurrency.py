"""Twenty InMails sent at the same moment on a balance of five: exactly five go out.

Each thread uses its own database connection, so the spends really race: the member lock
(SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) is what makes them take turns.
"""

import threading

import pytest
from django.db import connection

from core.errors import Conflict, DomainError
from premium import services
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
