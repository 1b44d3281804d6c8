from django.db import migrations, models


class AddFieldInPlace(migrations.AddField):
    """AddField, but on SQLite an ALTER TABLE ... ADD COLUMN with the constant default.

    Django's SQLite backend adds a NOT NULL column by rebuilding the table, and a rebuild
    creates every index of the model's state, among them 0003's PostgreSQL trigram indexes,
    which SQLite cannot create. SQLite can add a NOT NULL column with a constant default in
    place, and existing rows take the default.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        db_type = field.db_type(schema_editor.connection)
        default = schema_editor.quote_value(schema_editor.effective_default(field))
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
            f"ADD COLUMN {schema_editor.quote_name(field.column)} {db_type} NOT NULL "
            f"DEFAULT {default}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_member_search_trigram"),
    ]

    operations = [
        AddFieldInPlace(
            model_name="member",
            name="read_receipts",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Let members see when you've read their messages. "
                    "While it's off, you don't see when they've read yours either."
                ),
                verbose_name="read receipts",
            ),
        ),
    ]
