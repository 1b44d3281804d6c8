# Search's trigram indexes: pg_trgm and GIN indexes on PostgreSQL; nothing on SQLite, where
# search scans (the model state is the same on both).

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class AddIndexOnPostgreSQL(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_index(column):
    return AddIndexOnPostgreSQL(
        model_name="member",
        index=django.contrib.postgres.indexes.GinIndex(
            django.contrib.postgres.indexes.OpClass(
                django.db.models.functions.text.Upper(column), name="gin_trgm_ops"
            ),
            name=f"member_{column}_trgm",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_member_open_profile"),
    ]

    operations = [
        # Does nothing on SQLite.
        TrigramExtension(),
        trigram_index("first_name"),
        trigram_index("last_name"),
        trigram_index("headline"),
    ]
