"""What the apps' migrations share."""

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
