"""Many rows written in one statement, for the bulk writers and the settlement of credits.

`Model.objects.bulk_create` builds a model instance per row and prepares every field of it;
at hundreds of thousands of rows that costs more than the database's work. These take plain
tuples. PostgreSQL gets the rows as one JSON parameter (an array of rows): quoting one string
costs next to nothing where psycopg would quote thousands of values one by one. SQLite, in
process, gets plain VALUES, a few statements as it bounds the number of parameters.
"""

import json

from django.db import connection
from django.db.models.expressions import RawSQL


def ids_subquery(ids: list[int]) -> RawSQL:
    """The ids as a subquery of one parameter, for `__in`: a list of thousands of parameters
    costs more to send than the query costs to run."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT json_array_elements_text(%s::json)::bigint", [json.dumps(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


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


def insert_rows(
    model, fields: list[str], rows: list[tuple], *, returning: bool = False
) -> list[int]:
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


def update_rows(model, fields: list[str], rows: list[tuple]) -> None:
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
