"""core.db: the indexes only PostgreSQL has are in both databases' model state, and SQLite
renders them as nothing, so that it can rebuild their tables (as migration accounts 0007 has
SQLite do for the member table); instances read from the database are built as Django builds
them (LoadedFast)."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init

from accounts.models import Member
from core.db import LoadedFast
from tests import factories

POSTGRESQL_ONLY = {"member_first_name_trgm", "member_search_text_trgm"}


@pytest.mark.django_db
def test_a_postgresql_index_is_sql_on_postgresql_only():
    indexes = [index for index in Member._meta.indexes if index.name in POSTGRESQL_ONLY]

    # Not entered: SQLite's schema editor refuses to be inside the test's transaction.
    editor = connection.schema_editor(collect_sql=True)
    statements = [str(index.create_sql(Member, editor)) for index in indexes]

    assert len(statements) == 2
    if connection.vendor == "postgresql":
        assert all("USING gin" in statement for statement in statements)
    else:
        assert statements == ["", ""]


PROJECT_APPS = {"accounts", "core", "inmail", "premium"}


def _project_models() -> list[type[Model]]:
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def test_every_model_of_the_project_is_loaded_fast():
    models = _project_models()

    assert models
    assert [model.__name__ for model in models if not issubclass(model, LoadedFast)] == []


def _as_django_loads(instance: Model) -> Model:
    """The instance as Django's own Model.from_db builds it from the same values."""
    model = type(instance)
    names = [field.attname for field in model._meta.concrete_fields]
    values = [instance.__dict__[name] for name in names]
    return Model.from_db.__func__(model, instance._state.db, names, values)


def _loaded(instance: Model) -> tuple[dict, bool, str]:
    attributes = {name: value for name, value in vars(instance).items() if name != "_state"}
    return attributes, instance._state.adding, instance._state.db


@pytest.mark.django_db
def test_an_instance_read_is_the_one_django_builds(client):
    participant = factories.ParticipantFactory()
    factories.MessageFactory(conversation=participant.conversation)
    factories.subscribe(participant.member)
    factories.InvitationFactory(sender=participant.member)
    client.force_login(participant.member)  # a session

    rows = [row for model in _project_models() for row in model.objects.all()]

    assert {type(row).__name__ for row in rows} >= {
        "Member", "Participant", "Conversation", "Message", "Subscription", "Plan",
        "CreditGrant", "LedgerEntry", "Invitation", "Session",
    }  # fmt: skip
    for row in rows:
        assert _loaded(row) == _loaded(_as_django_loads(row))
        assert (row._state.adding, row._state.db) == (False, "default")


@pytest.mark.django_db
def test_a_deferred_field_is_left_out_and_loads_when_read(django_assert_num_queries):
    member = factories.MemberFactory(headline="Engineer")

    read = Member.objects.only("first_name").get(pk=member.pk)

    assert "headline" not in vars(read)
    with django_assert_num_queries(1):
        assert read.headline == "Engineer"


@pytest.mark.django_db
def test_a_model_with_an_init_receiver_is_built_by_django():
    member = factories.MemberFactory()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Member)
    try:
        Member.objects.get(pk=member.pk)
    finally:
        post_init.disconnect(receiver, sender=Member)

    assert seen == [member.pk]
