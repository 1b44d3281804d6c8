"""core.db: the indexes only PostgreSQL has are in both databases' model state, and SQLite
renders them as nothing, so that it can rebuild their tables (as migration accounts 0007 has
SQLite do for the member table)."""

import pytest
from django.db import connection

from accounts.models import Member

POSTGRESQL_ONLY = {"member_first_name_trgm", "member_search_text_trgm"}


@pytest.mark.django_db
def test_a_postgresql_index_is_sql_on_postgresql_only():
    indexes = [index for index in Member._meta.indexes if index.name in POSTGRESQL_ONLY]

    # Not entered: SQLite's schema editor refuses to be inside the test's transaction.
    editor = connection.schema_editor(collect_sql=True)
    statements = [str(index.create_sql(Member, editor)) for index in indexes]

    assert len(statements) == 2
    if connection.vendor == "postgresql":
        assert all("USING gin" in statement for statement in statements)
    else:
        assert statements == ["", ""]
