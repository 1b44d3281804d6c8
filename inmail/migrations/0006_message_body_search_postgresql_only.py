# The full-text index becomes core.db.PostgreSQLGinIndex in the model state, so that SQLite can
# rebuild the message table (it re-creates every index of the state). The database is as it was.

import django.contrib.postgres.search
from django.db import migrations

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("inmail", "0005_message_body_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="message", name="message_body_search"),
                migrations.AddIndex(
                    model_name="message",
                    index=core.db.PostgreSQLGinIndex(
                        django.contrib.postgres.search.SearchVector("body", config="english"),
                        name="message_body_search",
                    ),
                ),
            ]
        ),
    ]
