"""A query the ORM builds and compiles once per process, then runs with new values.

Building and compiling a query of a few subqueries can cost Django more than PostgreSQL takes
to run it (the top bar's three counts: over 1 ms of Python for 0.2 ms in the database; a list
of members with their degree, mutual connections and invitations: 4 to 6 ms), and the top
bar's is run on every page. `Compiled` builds the query once with placeholder values, notes
where each of them landed among the SQL's parameters, and then runs that SQL with the values
of the moment: the query stays written with the ORM, in one place.

The time a query is built for (a Premium badge is "Premium now") is `now()`: the current time,
or the placeholder while a Compiled query that declares `now=datetime` is built.

On PostgreSQL a Compiled query is also a prepared statement on each connection (connections
are kept: the pool under ASGI, CONN_MAX_AGE under WSGI), so that PostgreSQL plans it once
too: planning the inbox's list took 0.9 ms for 0.5 ms of running it. Its constants are then
written into its SQL, so that the one plan can use an index of some rows (`folder =
'inbox'`). Except a query that matches text with LIKE (a `Pattern`): how many rows
"%manager%" finds depends on the word, and a plan made once for any word would be wrong for
most of them; unless it is declared `plan_once`, a query whose rows are bounded by something
else (a member's network) and whose plan therefore does not depend on the word.
"""

import functools
import itertools
import json
import re
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import psycopg
from django.db import connection, connections
from django.db.models import Model, QuerySet
from django.db.models.query import DEFAULT_FETCH_MODE, get_related_populators
from django.utils import timezone
from psycopg.sql import Literal

_building_now: ContextVar[datetime | None] = ContextVar("building_now", default=None)


def now() -> datetime:
    """The time a query is built for: timezone.now(), or the placeholder of a Compiled query
    being built (then each run binds its own time there)."""
    return _building_now.get() or timezone.now()


@contextmanager
def _built_at(moment: datetime | None):
    token = _building_now.set(moment)
    try:
        yield
    finally:
        _building_now.reset(token)


class Pattern(str):
    """The kind of a text the query matches with LIKE (`icontains`, `istartswith`): found
    inside its parameters ("%text%"), and escaped there as Django escapes it; or a parameter
    of its own, bound as it is."""


def _placeholder(kind: type, index: int) -> object:
    # Values no query of ours holds, so that each one is found where it landed and nowhere else.
    if kind is int:
        return -7_310_981 - index
    if kind is datetime:
        return datetime(1970, 1, 2, 3, 4, 5, 678_901 - index, tzinfo=UTC)
    if kind in (str, Pattern):
        return f"core.queries:placeholder:{index}:"
    raise TypeError(f"no placeholder for {kind.__name__}")


def _adapt(value: object) -> object:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _pattern_slot(param: object, patterns: dict[str, str]) -> tuple[str, str, str] | None:
    """(name, the text before and after it) for a LIKE parameter that holds a Pattern."""
    if isinstance(param, str):
        for name, placeholder in patterns.items():
            if placeholder in param:
                before, after = param.split(placeholder, 1)
                return name, before, after
    return None


def _bound(slot: str | tuple[str, str, str], values: dict) -> object:
    if isinstance(slot, str):
        return _adapt(values[slot])
    name, before, after = slot
    if not before and not after:
        # The text alone: an expression's value, which the SQL escapes itself (a `contains`
        # of UPPER(text)), or an exact match.
        return values[name]
    return before + connection.ops.prep_for_like_query(values[name]) + after


_PLACEHOLDER_OR_PERCENT = re.compile(r"%[s%]")


def _inline_constants(sql: str, params, slots: list) -> tuple[str, list, list]:
    """The SQL of a prepared statement with its constant texts, numbers and booleans written
    in as literals, and only the declared values left as parameters: PostgreSQL plans a
    prepared statement once for any parameters (its generic plan), and with `folder = $1` it
    cannot use an index that holds only `folder = 'inbox'` rows, so it planned such a query
    again on every run. A literal is psycopg's own quoting of the value."""
    constants = iter(zip(params, slots, strict=True))
    kept_params, kept_slots = [], []

    def written(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        param, slot = next(constants)
        if slot is None and isinstance(param, str | int):
            return _literal(param).replace("%", "%%")
        kept_params.append(param)
        kept_slots.append(slot)
        return "%s"

    sql = _PLACEHOLDER_OR_PERCENT.sub(written, sql)
    if next(constants, None) is not None:
        raise ValueError("the SQL has fewer placeholders than parameters")
    return sql, kept_params, kept_slots


def _literal(value: str | int) -> str:
    # As plain str, int or bool: a choice (a str Enum) is written as its value, not its name.
    plain = (
        str(value) if isinstance(value, str) else value if isinstance(value, bool) else int(value)
    )
    return Literal(plain).as_string(connection.connection)


class _PreparingCursor(psycopg.RawCursor):
    """Binds parameters on the server (Django's own cursors bind them into the SQL text, which
    cannot be prepared), and prepares each statement at its first run on the connection.

    Given SQL with Django's placeholders (%s), it runs that SQL with PostgreSQL's own ($1,
    $2…), written once per query (`_numbered`): psycopg's Cursor finds the placeholders again
    at every run of a query longer than 4 KB (My Network's invitations, 0.1 ms each time)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(_numbered(query), params, prepare=True, binary=binary)


@functools.lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    numbers = itertools.count(1)
    return _PLACEHOLDER_OR_PERCENT.sub(
        lambda found: "%" if found.group() == "%%" else f"${next(numbers)}", sql
    )


def _cursor(prepared: bool):
    """A cursor of the connection, as Django makes it (its checks, errors and logged queries,
    whatever wraps `connection.cursor`), binding on the server when the query is prepared:
    made as such by our PostgreSQL backend (core.backends.postgresql: `cursor_of`)."""
    if prepared and hasattr(connection, "cursor_of"):
        return connection.cursor_of(_preparing)
    return connection.cursor()


def _preparing(pg_connection) -> _PreparingCursor | None:
    # psycopg prepares nothing on a connection whose `prepare_threshold` is None (Django's
    # default, which the settings change unless DJANGO_DB_PREPARE=0): Django's cursor then.
    if pg_connection.prepare_threshold is None:
        return None
    return _PreparingCursor(pg_connection)


class Compiled:
    """`build(**values)` returns the QuerySet; `kinds` names each value and its type (int, str
    compared as it is, Pattern for a text matched with LIKE, or datetime; `now=datetime` is
    the time of `now()`, bound to the current time unless given).

    `first(**values)`, for a `.values()` QuerySet of annotations only, is its first row as a
    dict of the database's own values (SQLite answers 0 or 1 for a boolean), or None.
    `instances(**values)`, for a QuerySet of model instances, is the list of them (with their
    annotations and select_related members), as the QuerySet would give them; `instance`
    the first of them, or None.

    Whatever changes from one call to the next must be one of the declared values (the time
    through `now()`, never timezone.now()), each used as it is, not computed on (a value found
    nowhere among the parameters is refused): anything else is frozen into the SQL built once.

    `plan_once`: prepared on PostgreSQL even though it matches text (see above)."""

    def __init__(self, build: Callable[..., QuerySet], *, plan_once: bool = False, **kinds: type):
        self.build = build
        self.plan_once = plan_once
        self.kinds = kinds
        self._compiled: dict[tuple[str, str], dict] = {}

    def _build(self, first_index: int):
        placeholders = {
            name: _placeholder(kind, first_index + i)
            for i, (name, kind) in enumerate(self.kinds.items())
        }
        with _built_at(placeholders.get("now")):
            query = self.build(**placeholders).query
        compiler = query.get_compiler(connection=connection)
        return placeholders, query, compiler, *compiler.as_sql()

    def _compile(self) -> dict:
        key = (connection.alias, connection.vendor)
        if key not in self._compiled:
            placeholders, query, compiler, sql, params = self._build(0)
            where = {_adapt(value): name for name, value in placeholders.items()}
            patterns = {
                name: value for name, value in placeholders.items() if self.kinds[name] is Pattern
            }
            slots = [where.get(param) or _pattern_slot(param, patterns) for param in params]
            found = {slot if isinstance(slot, str) else slot and slot[0] for slot in slots}
            if set(placeholders) - found:
                raise ValueError("a value is missing from the compiled query's parameters")
            # Built again with other placeholders, nothing else may differ: a value that is
            # not declared (timezone.now() called in `build`) would be frozen into the SQL.
            *_, sql_again, params_again = self._build(100)
            if sql_again != sql or any(
                slot is None and param != again
                for slot, param, again in zip(slots, params, params_again, strict=True)
            ):
                raise ValueError(
                    "the query changes between two builds with more than its declared values "
                    "(the time must come from core.queries.now())"
                )
            prepared = connection.vendor == "postgresql" and (
                self.plan_once or Pattern not in self.kinds.values()
            )
            if prepared:
                sql, params, slots = _inline_constants(sql, params, slots)
            self._compiled[key] = {
                "prepared": prepared,
                "sql": sql,
                "params": list(params),
                "slots": slots,
                "query": query,
                "compiler": compiler,
                "alias": connection.alias,
            }
        return self._compiled[key]

    def _bind(self, compiled: dict, values: dict) -> list:
        if "now" in self.kinds:
            values.setdefault("now", timezone.now())
        return [
            param if slot is None else _bound(slot, values)
            for param, slot in zip(compiled["params"], compiled["slots"], strict=True)
        ]

    def _rows(self, compiled: dict, values: dict) -> list:
        with _cursor(compiled["prepared"]) as cursor:
            cursor.execute(compiled["sql"], self._bind(compiled, values))
            return cursor.fetchall()

    def count(self, *, most: int | None = None, **values) -> int:
        """How many rows the query returns, counted by the database no further than `most`
        (for a query without a slice of its own)."""
        compiled = self._compile()
        sql = compiled["sql"] if most is None else f"{compiled['sql']} LIMIT {int(most)}"
        with _cursor(compiled["prepared"]) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", self._bind(compiled, values))
            return cursor.fetchone()[0]

    def estimate(self, **values) -> int:
        """PostgreSQL's estimate of how many rows the query returns (`estimated_rows`)."""
        compiled = self._compile()
        return estimated_rows(compiled["sql"], self._bind(compiled, values))

    def first(self, **values) -> dict | None:
        compiled = self._compile()
        query = compiled["query"]
        if query.values_select or query.extra_select:
            raise ValueError("first() reads annotations only")
        rows = self._rows(compiled, values)
        return dict(zip(query.annotation_select, rows[0], strict=True)) if rows else None

    def instance(self, **values) -> Model | None:
        """The first of `instances`, or None."""
        return next(iter(self.instances(**values)), None)

    def instances(self, **values) -> list[Model]:
        """The rows as model instances, built as Django's ModelIterable builds them."""
        compiled = self._compile()
        rows = self._rows(compiled, values)
        if "loader" not in compiled:
            compiled["loader"] = _Loader(compiled["compiler"], compiled["alias"])
        return compiled["loader"].load(rows)


class _Loader:
    """Django's ModelIterable for the rows of one compiled query: what it works out from the
    compiler at each run (the columns' converters, where each model's fields and each
    annotation are, the select_related members' populators) worked out once, for a query
    that runs on every page (a page's session: 0.1 ms of Python each run, in a request).

    Only what the compiled queries can hold: no composite fields, and the default fetch mode
    (FETCH_ONE: an instance does not keep its peers, so the populators hold no state between
    runs)."""

    def __init__(self, compiler, alias: str):
        select, klass_info = compiler.select, compiler.klass_info
        columns = [column for column, *_ in select[: compiler.col_count]]
        if compiler.has_composite_fields(columns) or DEFAULT_FETCH_MODE.track_peers:
            raise ValueError("a compiled query reads no composite field and tracks no peers")
        self.alias = alias
        self.converters = list(compiler.get_converters(columns).items())
        fields = klass_info["select_fields"]
        self.fields = slice(fields[0], fields[-1] + 1)
        self.init_list = [column.target.attname for column, *_ in select[self.fields]]
        self.from_db = functools.partial(klass_info["model"].from_db, fetch_mode=DEFAULT_FETCH_MODE)
        self.related = get_related_populators(klass_info, select, alias, DEFAULT_FETCH_MODE)
        self.annotations = list(compiler.annotation_col_map.items())

    def load(self, rows: list) -> list[Model]:
        instances = []
        for row in rows:
            if self.converters:
                row = self._converted(row)
            instance = self.from_db(self.alias, self.init_list, row[self.fields])
            for related in self.related:
                related.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

    def _converted(self, row: tuple) -> list:
        # As SQLCompiler.apply_converters, with this thread's connection.
        connection, row = connections[self.alias], list(row)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row


def estimated_rows(sql: str, params) -> int:
    """How many rows PostgreSQL's plan for the query expects: planned, not run."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def first_row(queryset: QuerySet) -> QuerySet:
    """`queryset`'s first row as `.first()` picks it (by primary key when unordered), as a
    QuerySet a Compiled query can build."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


class FirstPage:
    """A list for Django's Paginator: its first page (what almost every visit shows) from
    `first()`, a query compiled once, and the count and any other page from the QuerySet that
    `queryset()` builds (only when one of them is asked for), or the count from `count()`.

    With `size`, the most rows `first()` reads, and `page`, the page asked for (the query
    string's), a first page of fewer rows than `size` is the whole list: its length is the
    count, without a query (most members' lists are that short). A full first page tells the
    count too when its rows carry it, in their annotation `total`."""

    ordered = True  # the Paginator warns about unordered lists: the QuerySet is ordered

    def __init__(
        self,
        queryset: Callable[[], QuerySet],
        first: Callable[[], list],
        *,
        size: int | None = None,
        page: str | None = None,
        total: str | None = None,
        count: Callable[[], int] | None = None,
    ):
        self.queryset = queryset
        self.first = first
        self.size = size if page in (None, "", "1") else None
        self.total = total
        self.count_all = count or (lambda: self.queryset().count())

    @functools.cached_property
    def _first_page(self) -> list:
        return self.first()

    def count(self) -> int:
        if self.size is not None:  # the first page is the one asked for
            rows = self._first_page
            if len(rows) < self.size:
                return len(rows)
            if self.total is not None:
                return getattr(rows[0], self.total)
        return self.count_all()

    def __getitem__(self, rows: slice):
        if rows.start:
            return self.queryset()[rows]
        return self._first_page[: rows.stop]
