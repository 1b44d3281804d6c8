import pytest
from django.urls import reverse

from accounts.models import Connection, Member
from tests.factories import MemberFactory


@pytest.mark.django_db
def test_admin_member_list_shows_connection_counts(client, member):
    admin = MemberFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    friends = MemberFactory.create_batch(3)
    Connection.objects.bulk_create(
        [Connection(member=member, other=f) for f in friends]
        + [Connection(member=f, other=member) for f in friends]
    )

    response = client.get(reverse("admin:accounts_member_changelist"), {"q": "ada@example.com"})

    assert response.status_code == 200
    assert '<td class="field-connection_count">3</td>' in response.content.decode()


@pytest.mark.django_db
def test_admin_is_for_staff_only(member_client):
    response = member_client.get(reverse("admin:accounts_member_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_adds_a_member_with_a_slug(client):
    client.force_login(MemberFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:accounts_member_add"),
        {
            "email": "New.Person@example.com",
            "first_name": "New",
            "last_name": "Person",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    created = Member.objects.get(email="new.person@example.com")
    assert created.slug == "new-person"


@pytest.mark.django_db
def test_admin_search_finds_members_by_name_and_email(client):
    client.force_login(MemberFactory(is_staff=True, is_superuser=True))
    MemberFactory(first_name="Grace", last_name="Hopper", email="grace@example.com")
    MemberFactory(first_name="Alan", last_name="Turing", email="alan@example.com")

    by_name = client.get(reverse("admin:accounts_member_changelist"), {"q": "hopper"})
    by_email = client.get(reverse("admin:accounts_member_changelist"), {"q": "alan@"})

    assert [m.email for m in by_name.context["cl"].result_list] == ["grace@example.com"]
    assert [m.email for m in by_email.context["cl"].result_list] == ["alan@example.com"]
