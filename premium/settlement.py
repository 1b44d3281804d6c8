"""Settling every member with something due, in batches: what `grant_credits` runs.

A batch locks its members' rows (the lock every credit service takes, in member order, so
two runs at once take turns rather than deadlock), reads their live subscriptions and lots
with credits left in two queries, and replays each member's settlement with the very rules
the services settle one member with (`services._settle`: expiries, the allowances of every
anniversary that has come, capped, the end of a cancelled plan, in order of time). The
changes are not written member by member but together, in a few statements for the whole
batch: the new lots and the ledger entries as two inserts, the lots taken from, the
subscriptions and the Open Profiles that closed as one UPDATE each.

Idempotent like the lazy settlement: what a batch finds settled under the lock, it leaves.
"""

import json

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Member
from premium import selectors, services
from premium.models import CreditGrant, LedgerEntry, Plan, Subscription

BATCH_SIZE = 2000


def settle_due(*, plan: Plan | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Settle every member with something due (on `plan`, if given: those whose anniversary
    has come); how many members had something to settle."""
    # What is due now, read once: what falls due during the run is the next run's.
    due = selectors.member_ids_due(plan=plan)
    return sum(
        _settle_batch(due[start : start + batch_size]) for start in range(0, len(due), batch_size)
    )


class _Lot:
    """A lot as the batch reads and grants it: the few fields settling uses, no model."""

    __slots__ = (
        "pk", "member_id", "subscription", "kind", "billing_month", "amount", "remaining",
        "granted_at", "expires_at",
    )  # fmt: skip

    def __init__(self, pk=None, **fields):
        self.pk = pk
        for name, value in fields.items():
            setattr(self, name, value)


class _Writes:
    """What a batch's replay changed, to be written together."""

    def __init__(self):
        self.lots: list[_Lot] = []
        self.entries: list[dict] = []
        self.taken: dict[int, _Lot] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.open_profiles_off: set[int] = set()


class _BatchCredits(services._Credits):
    """A member's credits whose changes wait in `writes` instead of being written at once."""

    def __init__(self, member_id: int, lots: list[_Lot], writes: _Writes):
        super().__init__(member_id, lots)
        self.writes = writes

    def _new_lot(self, **fields):
        lot = _Lot(**fields)
        self.writes.lots.append(lot)
        return lot

    def _new_entry(self, **fields):
        self.writes.entries.append(fields)

    def _save_remaining(self, lots):
        # A lot granted by this batch is inserted with what is left of it.
        self.writes.taken.update((lot.pk, lot) for lot in lots if lot.pk is not None)

    def save_subscription(self, sub, fields):
        self.writes.subscriptions[sub.pk] = sub

    def open_profile_off(self):
        self.writes.open_profiles_off.add(self.member_id)


# What settling reads of a subscription and writes to it.
_SETTLED_FIELDS = [
    "member", "plan", "status", "started_at", "billing_month", "period_start", "period_end",
    "ended_at", "end_reason",
]  # fmt: skip


@transaction.atomic
def _settle_batch(member_ids: list[int]) -> int:
    locked = list(
        Member.objects.select_for_update()
        .filter(pk__in=_ids(member_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    plans = {plan.pk: plan for plan in Plan.objects.all()}
    subscriptions = {}
    for sub in Subscription.objects.live().filter(member__in=_ids(locked)).only(*_SETTLED_FIELDS):
        sub.plan = plans[sub.plan_id]
        subscriptions[sub.member_id] = sub
    lots: dict[int, list[_Lot]] = {pk: [] for pk in locked}
    for pk, member_id, expires_at, remaining in (
        CreditGrant.objects.filter(member__in=_ids(locked), remaining__gt=0)
        .order_by("member", "expires_at", "id")
        .values_list("pk", "member", "expires_at", "remaining")
    ):
        lots[member_id].append(_Lot(pk, expires_at=expires_at, remaining=remaining))

    writes, settled = _Writes(), 0
    for pk in locked:
        before = len(writes.entries), len(writes.subscriptions)
        services._settle(subscriptions.get(pk), _BatchCredits(pk, lots[pk], writes), now)
        settled += (len(writes.entries), len(writes.subscriptions)) != before
    _write(writes)
    return settled


def _write(writes: _Writes) -> None:
    if writes.lots:
        ids = _insert(
            CreditGrant,
            ["member", "subscription", "kind", "billing_month", "amount", "remaining"]
            + ["granted_at", "expires_at"],
            [
                (lot.member_id, lot.subscription.pk, lot.kind, lot.billing_month, lot.amount)
                + (lot.remaining, lot.granted_at, lot.expires_at)
                for lot in writes.lots
            ],
            returning=True,
        )
        for lot, pk in zip(writes.lots, ids, strict=True):
            lot.pk = pk
    if writes.entries:
        _insert(
            LedgerEntry,
            ["member", "grant", "amount", "reason", "note", "actor", "created_at"]
            + ["balance_after"],
            [
                (entry["member_id"], entry["grant"] and entry["grant"].pk, entry["amount"])
                + (entry["reason"], entry["note"], entry["actor"] and entry["actor"].pk)
                + (entry["created_at"], entry["balance_after"])
                for entry in writes.entries
            ],
        )
    _update(CreditGrant, ["remaining"], [(lot.pk, lot.remaining) for lot in writes.taken.values()])
    _update(
        Subscription,
        ["billing_month", "period_start", "period_end", "status", "ended_at", "end_reason"],
        [
            (sub.pk, sub.billing_month, sub.period_start, sub.period_end, sub.status)
            + (sub.ended_at, sub.end_reason)
            for sub in writes.subscriptions.values()
        ],
    )
    if writes.open_profiles_off:
        Member.objects.filter(pk__in=writes.open_profiles_off).update(open_profile=False)


def _ids(ids: list[int]) -> RawSQL:
    """The ids as a subquery of one parameter, for `__in`: a list of thousands of parameters
    costs more to send than the query costs to run."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT json_array_elements_text(%s::json)::bigint", [json.dumps(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


# Many rows in one statement. PostgreSQL gets them as one JSON parameter (an array of rows):
# quoting one string costs next to nothing where psycopg would quote thousands of values one
# by one. SQLite, in process, gets plain VALUES, a few statements as it bounds the number of
# parameters.


def _columns(model, fields: list[str]) -> list[tuple[str, str, bool]]:
    """(quoted column, its PostgreSQL type, whether it holds a moment) for each field."""
    columns = []
    for name in fields:
        field = model._meta.get_field(name)
        target = field.target_field if field.is_relation else field
        db_type = target.rel_db_type(connection) if field.is_relation else field.db_type(connection)
        moment = field.get_internal_type() == "DateTimeField"
        columns.append((connection.ops.quote_name(field.column), db_type, moment))
    return columns


def _json_rows(columns, rows) -> tuple[str, str]:
    """The rows as a JSON parameter, and the SELECT list that reads them back typed."""
    moments = [i for i, (_column, _type, moment) in enumerate(columns) if moment]
    if moments:
        rows = [list(row) for row in rows]
        for row in rows:
            for i in moments:
                if row[i] is not None:
                    row[i] = row[i].isoformat()
    select = ", ".join(f"(r->>{i})::{db_type}" for i, (_c, db_type, _m) in enumerate(columns))
    return json.dumps(rows), select


def _sqlite_values(columns, rows):
    """Chunks of rows as (placeholders, parameters) for VALUES, SQLite's parameter limit kept."""
    adapt = connection.ops.adapt_datetimefield_value
    moments = [moment for _column, _type, moment in columns]
    size = max(1, 999 // len(columns))
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        params = [
            adapt(value) if moment and value is not None else value
            for each in chunk
            for value, moment in zip(each, moments, strict=True)
        ]
        yield ", ".join([row] * len(chunk)), params


def _insert(model, fields: list[str], rows: list[tuple], *, returning: bool = False) -> list[int]:
    """INSERT the rows (in the order of `fields`); with `returning`, their new ids in order."""
    columns = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(column for column, _type, _moment in columns)
    tail = " RETURNING id" if returning else ""
    ids = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            param, select = _json_rows(columns, rows)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {select} "
                f"FROM json_array_elements(%s::json) WITH ORDINALITY AS e(r, n) ORDER BY n{tail}",
                [param],
            )
            return [pk for (pk,) in cursor.fetchall()] if returning else []
        for values, params in _sqlite_values(columns, rows):
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}{tail}", params)
            if returning:
                ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def _update(model, fields: list[str], rows: list[tuple]) -> None:
    """UPDATE the rows given as (id, *values in the order of `fields`)."""
    if not rows:
        return
    columns = _columns(model, ["id", *fields])
    table = connection.ops.quote_name(model._meta.db_table)
    names = [column for column, _type, _moment in columns]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            param, select = _json_rows(columns, rows)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (SELECT {select} "
                f"FROM json_array_elements(%s::json) AS r) AS v({', '.join(names)}) "
                f"WHERE {table}.id = v.id",
                [param],
            )
            return
        for values, params in _sqlite_values(columns, rows):
            cursor.execute(
                f"WITH v({', '.join(names)}) AS (VALUES {values}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id",
                params,
            )
