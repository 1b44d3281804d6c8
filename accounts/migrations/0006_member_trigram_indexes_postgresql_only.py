# The trigram indexes become core.db.PostgreSQLGinIndex in the model state, so that SQLite can
# rebuild the member table (it re-creates every index of the state). The database is as it was.

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

import core.db

COLUMNS = ("first_name", "last_name", "headline")


def trigram_index(column, index_class):
    return index_class(
        django.contrib.postgres.indexes.OpClass(
            django.db.models.functions.text.Upper(column), name="gin_trgm_ops"
        ),
        name=f"member_{column}_trgm",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_member_inactive_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(
                    migrations.RemoveIndex(model_name="member", name=f"member_{column}_trgm")
                    for column in COLUMNS
                ),
                *(
                    migrations.AddIndex(
                        model_name="member",
                        index=trigram_index(column, core.db.PostgreSQLGinIndex),
                    )
                    for column in COLUMNS
                ),
            ]
        ),
    ]
