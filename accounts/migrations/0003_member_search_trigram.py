# Search's trigram indexes: pg_trgm and GIN indexes on PostgreSQL; nothing on SQLite, where
# search scans (the model state is the same on both).

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.db import AddIndexOnPostgreSQL


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
