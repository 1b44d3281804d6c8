"""What the apps' models and migrations share."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """An index only PostgreSQL has (GIN: trigrams, full-text search); on SQLite the model
    state is the same and queries scan."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PostgreSQLGinIndex(GinIndex):
    """A GIN index (trigrams, full-text search), which only PostgreSQL has. On SQLite it is in
    the model state as on PostgreSQL, so that both share their migrations, but its SQL is
    empty: also when SQLite rebuilds a table, which re-creates every index of the state."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)
