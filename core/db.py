"""What the apps' models and migrations share."""

import functools

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


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


class LoadedFast:
    """A model mixin: an instance read from the database is built by filling in its
    attributes, not through Model.__init__, which sets each field through setattr and sends
    two signals (6 µs an instance, 2 µs this way: a page of 20 conversations reads 80
    instances with their members and last messages, 0.3 ms of a 7 ms page).

    The same instance as Django's: Model.__init__ given every field's value in order (as
    from_db gives it) only stores each one under its attname, plain attributes of these
    models; a deferred field is left out, and loads when read. Django's own way is kept for
    a model that could tell the difference: one that has pre_init or post_init receivers, or
    a field whose attribute is not a plain one (a descriptor with its own setter)."""

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        if not _plain(cls) or _observed(cls):
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        new = cls.__new__(cls)
        new._state = state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        new.__dict__.update(zip(field_names, values, strict=True))
        return new


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


@functools.cache
def _plain(cls: type[Model]) -> bool:
    """Whether Model.__init__ would only store each field's value under its attname."""
    return cls.__init__ is Model.__init__ and all(
        type(getattr(cls, field.attname, None)) in _PLAIN_ATTRIBUTES
        for field in cls._meta.concrete_fields
    )


def _observed(cls: type[Model]) -> bool:
    # As Signal.send checks, cheaply, before looking for the sender's receivers.
    return any(signal.receivers and signal.has_listeners(cls) for signal in (pre_init, post_init))
