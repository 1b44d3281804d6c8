import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def copy_sessions(apps, schema_editor):
    """Members signed in before this table stay signed in: each unexpired session of Django's
    table is copied, with the member it is signed in as (when that member still exists)."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    old_sessions = apps.get_model("sessions", "Session").objects
    Session = apps.get_model("core", "Session")
    Member = apps.get_model(settings.AUTH_USER_MODEL)
    decode = SessionStore().decode
    unexpired = old_sessions.filter(expire_date__gt=timezone.now()).order_by("pk")
    batch = []
    for old in unexpired.iterator(chunk_size=BATCH):
        member_id = decode(old.session_data).get(SESSION_KEY)
        batch.append(
            Session(
                session_key=old.session_key,
                session_data=old.session_data,
                expire_date=old.expire_date,
                member_id=int(member_id) if str(member_id).isdigit() else None,
            )
        )
        if len(batch) == BATCH:
            _insert(Session, Member, batch)
            batch = []
    _insert(Session, Member, batch)


def _insert(Session, Member, sessions):
    named = {session.member_id for session in sessions} - {None}
    existing = set(Member.objects.filter(pk__in=named).values_list("pk", flat=True))
    for session in sessions:
        if session.member_id not in existing:
            session.member_id = None
    Session.objects.bulk_create(sessions)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "member",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "core_session",
                "abstract": False,
            },
        ),
        migrations.RunPython(copy_sessions, migrations.RunPython.noop, elidable=True),
    ]
