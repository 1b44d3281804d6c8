from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef

from accounts.management.commands.seed_demo import DEMO_EMAILS, DEMO_PASSWORD
from accounts.models import Connection, Invitation, Member
from accounts.selectors import FIRST, SECOND, THIRD_PLUS, with_relationship
from accounts.slugs import slug_base
from tests.factories import MemberFactory

MEMBERS = 60

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hasher(settings):
    # One PBKDF2 hash per seeding is cheap in production but adds up over a test module.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--members", str(MEMBERS), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "members": sorted(
            Member.objects.values_list(
                "email", "first_name", "last_name", "slug", "headline", "location", "about"
            )
        ),
        "connections": set(Connection.objects.values_list("member__email", "other__email")),
        "invitations": sorted(
            Invitation.objects.values_list("sender__email", "recipient__email", "note", "status")
        ),
    }


def counts():
    return (Member.objects.count(), Connection.objects.count(), Invitation.objects.count())


def test_demo_accounts_sign_in_with_the_demo_password():
    output = seed()

    assert set(Member.objects.filter(email__in=DEMO_EMAILS).values_list("email", flat=True)) == (
        set(DEMO_EMAILS)
    )
    assert authenticate(username="pro@example.com", password=DEMO_PASSWORD) == Member.objects.get(
        email="pro@example.com"
    )
    # One hash for everyone: every member can sign in with the same password.
    assert Member.objects.values("password").distinct().count() == 1
    assert f"Seeded {MEMBERS + len(DEMO_EMAILS)} members" in output


@pytest.mark.usefixtures("fast_hasher")
def test_admin_is_staff_and_superuser_and_nobody_else_is():
    seed()

    admin = Member.objects.get(email="admin@example.com")
    assert admin.is_staff
    assert admin.is_superuser
    assert list(Member.objects.filter(is_staff=True)) == [admin]
    assert list(Member.objects.filter(is_superuser=True)) == [admin]


@pytest.mark.usefixtures("fast_hasher")
def test_every_demo_account_has_1st_2nd_and_3rd_degree_members():
    seed()

    for account in Member.objects.filter(email__in=DEMO_EMAILS):
        degrees = list(
            with_relationship(Member.objects.exclude(pk=account.pk), account).values_list(
                "degree", flat=True
            )
        )
        assert {FIRST, SECOND, THIRD_PLUS} <= set(degrees), account.email
    essentials = Member.objects.get(email="essentials@example.com")
    third = with_relationship(Member.objects.exclude(pk=essentials.pk), essentials).filter(
        degree=THIRD_PLUS
    )
    assert third.count() > MEMBERS // 2


@pytest.mark.usefixtures("fast_hasher")
def test_free_and_essentials_are_not_connected():
    seed()

    assert not Connection.objects.filter(
        member__email="free@example.com", other__email="essentials@example.com"
    ).exists()


@pytest.mark.usefixtures("fast_hasher")
def test_every_connection_has_its_mirror_row():
    seed()

    assert Connection.objects.count() > MEMBERS * 2
    mirror = Connection.objects.filter(member=OuterRef("other"), other=OuterRef("member"))
    assert not Connection.objects.exclude(Exists(mirror)).exists()


@pytest.mark.usefixtures("fast_hasher")
def test_invitations_are_pending_between_members_who_are_not_connected():
    seed()

    invitations = Invitation.objects.all()
    assert invitations.exists()
    assert set(invitations.values_list("status", flat=True)) == {Invitation.Status.PENDING}
    connected = Connection.objects.filter(member=OuterRef("sender"), other=OuterRef("recipient"))
    assert not invitations.filter(Exists(connected)).exists()
    assert invitations.exclude(note="").exists()
    for email in DEMO_EMAILS:
        if email != "admin@example.com":
            assert invitations.filter(recipient__email=email).exists(), email
            assert invitations.filter(sender__email=email).exists(), email


@pytest.mark.usefixtures("fast_hasher")
def test_slugs_and_emails_come_from_the_names():
    seed()

    for member in Member.objects.all():
        base = slug_base(member.first_name, member.last_name)
        assert member.slug == base or member.slug.startswith(f"{base}-"), member.slug
    generated = Member.objects.exclude(email__in=DEMO_EMAILS)
    assert generated.count() == MEMBERS
    emails = generated.values_list("email", flat=True)
    assert all(email.endswith("@example.net") for email in emails)


@pytest.mark.usefixtures("fast_hasher")
def test_the_same_seed_gives_the_same_data():
    seed()
    first = snapshot()
    Member.objects.all().delete()

    seed()

    assert snapshot() == first


@pytest.mark.usefixtures("fast_hasher")
def test_another_seed_gives_other_data():
    seed()
    first = snapshot()
    Member.objects.all().delete()

    seed("--seed", "7")

    assert snapshot()["members"] != first["members"]


@pytest.mark.usefixtures("fast_hasher")
def test_if_empty_does_nothing_on_a_seeded_database():
    seed()
    before = snapshot()

    output = seed("--if-empty")

    assert "no demo data" in output
    assert snapshot() == before


@pytest.mark.usefixtures("fast_hasher")
def test_if_empty_seeds_an_empty_database():
    output = seed("--if-empty")

    assert "Seeded" in output
    assert Member.objects.count() == MEMBERS + len(DEMO_EMAILS)


def test_if_empty_does_nothing_when_any_member_exists():
    MemberFactory()

    output = seed("--if-empty")

    assert "no demo data" in output
    assert counts() == (1, 0, 0)


@pytest.mark.usefixtures("fast_hasher")
def test_seeding_twice_is_refused_without_writing_anything():
    seed()
    before = snapshot()

    with pytest.raises(CommandError, match="already exist"):
        seed()

    assert snapshot() == before


def test_seeding_is_refused_when_one_demo_account_exists():
    MemberFactory(email="recruiter@example.com")

    with pytest.raises(CommandError, match="recruiter@example.com"):
        seed()

    assert counts() == (1, 0, 0)


@pytest.mark.usefixtures("fast_hasher")
def test_seeding_beside_other_members_keeps_their_slugs():
    MemberFactory(first_name="Alex", last_name="Admin", slug="alex-admin")

    seed()

    assert Member.objects.get(email="admin@example.com").slug == "alex-admin-2"
    assert Member.objects.count() == MEMBERS + len(DEMO_EMAILS) + 1
