# Search's column: the name and the headline upper-cased once, stored by the database, with a
# trigram index on PostgreSQL (SQLite rebuilds the table for the column, and scans).

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models

import core.db


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_member_trigram_indexes_postgresql_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    django.db.models.functions.text.Concat(
                        "first_name",
                        models.Value(" "),
                        "last_name",
                        models.Value(" "),
                        "headline",
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=core.db.PostgreSQLGinIndex(
                django.contrib.postgres.indexes.OpClass("search_text", name="gin_trgm_ops"),
                name="member_search_text_trgm",
            ),
        ),
    ]
