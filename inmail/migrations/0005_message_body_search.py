# Messaging's search: a GIN index on the messages' English tsvector, on PostgreSQL only; SQLite
# has no such index and searches with LIKE (inmail.selectors._search).

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from core.db import AddIndexOnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [
        ("inmail", "0004_participant_read_at"),
    ]

    operations = [
        AddIndexOnPostgreSQL(
            model_name="message",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("body", config="english"),
                name="message_body_search",
            ),
        ),
    ]
