import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.test import RequestFactory

from accounts import selectors, services
from accounts.models import NOTE_MAX_LENGTH, Block, Connection, Invitation, Member
from core.errors import Conflict, Invalid, NotFound
from tests import assertions
from tests.factories import BlockFactory, InvitationFactory, MemberFactory, connect

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 15, 17, 0, tzinfo=UTC)


def snapshot():
    """Every row a service in this module could touch, to prove a refusal stored nothing."""
    return {
        "members": list(
            Member.objects.order_by("pk").values_list(
                "pk", "email", "first_name", "last_name", "headline", "slug", "accept_inmail"
            )
        ),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "sender_id", "recipient_id", "note", "status", "responded_at"
            )
        ),
        "connections": list(
            Connection.objects.order_by("pk").values_list("pk", "member_id", "other_id")
        ),
        "blocks": list(Block.objects.order_by("pk").values_list("pk", "blocker_id", "blocked_id")),
    }


def refused(message, kind=Invalid):
    return assertions.refused(snapshot, message, kind)


def connection_pairs():
    return set(Connection.objects.values_list("member_id", "other_id"))


def are_connected(a, b):
    pairs = connection_pairs()
    return (a.pk, b.pk) in pairs and (b.pk, a.pk) in pairs


@pytest.fixture
def jane(db):
    return MemberFactory(first_name="Jane", last_name="Doe", email="jane@example.com")


# --- member_signup -------------------------------------------------------------------------


def test_signup_stores_member_with_lowercase_email_and_usable_password():
    member = services.member_signup(
        email="  Jane.Doe@Example.COM ",
        password="correct-horse-battery",
        first_name=" Jane ",
        last_name=" Doe ",
        headline="  Engineer at Acme ",
    )

    member.refresh_from_db()
    assert member.email == "jane.doe@example.com"
    assert (member.first_name, member.last_name) == ("Jane", "Doe")
    assert member.headline == "Engineer at Acme"
    assert member.slug == "jane-doe"
    assert member.has_usable_password()
    assert member.check_password("correct-horse-battery")
    assert member.accept_inmail is True
    assert member.is_active
    assert not member.is_staff
    assert not member.is_superuser


def test_signed_up_member_can_sign_in_with_email_in_any_case():
    member = services.member_signup(
        email="Jane@Example.com", password="correct-horse-battery", first_name="J", last_name="D"
    )

    # django-axes checks every sign-in, so authenticate() needs the request it comes with.
    request = RequestFactory().post("/")
    assert (
        authenticate(request, username="JANE@example.COM", password="correct-horse-battery")
        == member
    )
    assert authenticate(request, username="jane@example.com", password="wrong-password") is None


def test_second_member_with_the_same_name_gets_a_different_slug():
    def sign_up(email):
        return services.member_signup(
            email=email, password="correct-horse-battery", first_name="Jane", last_name="Doe"
        )

    first = sign_up("jane1@example.com")
    second = sign_up("jane2@example.com")

    assert first.slug == "jane-doe"
    assert second.slug != first.slug
    assert re.fullmatch(r"jane-doe-[0-9a-f]{6}", second.slug)


def test_signup_with_a_name_without_letters_gets_a_member_slug():
    member = services.member_signup(
        email="x@example.com", password="correct-horse-battery", first_name="---", last_name="!"
    )

    assert member.slug == "member"


@pytest.mark.parametrize("email", ["jane@example.com", "JANE@Example.COM", "  Jane@example.com "])
def test_signup_with_an_existing_email_in_any_case_is_refused(jane, email):
    with refused("An account with this email already exists. Sign in instead.", Conflict):
        services.member_signup(
            email=email, password="correct-horse-battery", first_name="Jane", last_name="Doe"
        )


# --- member_update_profile / member_update_settings ----------------------------------------


def test_update_profile_stores_stripped_fields_and_keeps_email_and_slug(jane):
    slug = jane.slug

    services.member_update_profile(
        member=jane,
        first_name=" Janet ",
        last_name=" Dough ",
        headline=" Staff engineer ",
        location=" Lisbon ",
        about="  Builds things.\n",
    )

    jane.refresh_from_db()
    assert (jane.first_name, jane.last_name) == ("Janet", "Dough")
    assert jane.headline == "Staff engineer"
    assert jane.location == "Lisbon"
    assert jane.about == "Builds things."
    # The profile address does not move when the name changes: links to it keep working.
    assert jane.slug == slug
    assert jane.email == "jane@example.com"


def test_update_profile_can_clear_optional_fields(jane):
    services.member_update_profile(
        member=jane, first_name="Jane", last_name="Doe", headline="", location="", about=""
    )

    jane.refresh_from_db()
    assert (jane.headline, jane.location, jane.about) == ("", "", "")


def test_update_settings_turns_accept_inmail_off_and_on(jane):
    services.member_update_settings(member=jane, accept_inmail=False, read_receipts=True)
    jane.refresh_from_db()
    assert jane.accept_inmail is False

    services.member_update_settings(member=jane, accept_inmail=True, read_receipts=True)
    jane.refresh_from_db()
    assert jane.accept_inmail is True


def test_read_receipts_are_on_by_default_and_settings_turn_them_off_and_on(jane):
    assert jane.read_receipts is True

    services.member_update_settings(member=jane, accept_inmail=True, read_receipts=False)
    jane.refresh_from_db()
    assert (jane.accept_inmail, jane.read_receipts) == (True, False)

    services.member_update_settings(member=jane, accept_inmail=True, read_receipts=True)
    jane.refresh_from_db()
    assert jane.read_receipts is True


# --- invitation_send -----------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_invitation_send_creates_a_pending_invitation_with_stripped_note(member, other):
    invitation = services.invitation_send(sender=member, recipient=other, note="  Hi Grace!\n ")

    invitation.refresh_from_db()
    assert invitation.sender == member
    assert invitation.recipient == other
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.note == "Hi Grace!"
    assert invitation.created_at == NOW
    assert invitation.responded_at is None
    assert Invitation.objects.count() == 1
    assert not Connection.objects.exists()


def test_invitation_send_without_a_note_stores_an_empty_note(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    assert invitation.note == ""


def test_note_of_300_characters_is_accepted(member, other):
    note = "x" * NOTE_MAX_LENGTH

    # Surrounding whitespace is stripped before the length is checked.
    invitation = services.invitation_send(sender=member, recipient=other, note=f"  {note}\n")

    invitation.refresh_from_db()
    assert invitation.note == note


def test_note_of_301_characters_is_refused(member, other):
    with refused("Your note can be at most 300 characters; it has 301."):
        services.invitation_send(sender=member, recipient=other, note="x" * 301)


def test_inviting_yourself_is_refused(member):
    with refused("You can't invite yourself to connect."):
        services.invitation_send(sender=member, recipient=member)


@pytest.mark.parametrize("direction", ["sender_blocked_recipient", "recipient_blocked_sender"])
def test_inviting_across_a_block_is_refused_as_not_found(member, other, direction):
    if direction == "sender_blocked_recipient":
        BlockFactory(blocker=member, blocked=other)
    else:
        BlockFactory(blocker=other, blocked=member)

    with refused("You can't connect with this member.", NotFound):
        services.invitation_send(sender=member, recipient=other)


@pytest.mark.parametrize("who_connected_first", ["member", "other"])
def test_inviting_a_connection_is_refused(member, other, who_connected_first):
    if who_connected_first == "member":
        connect(member, other)
    else:
        connect(other, member)

    with refused("You're already connected with Grace Hopper.", Conflict):
        services.invitation_send(sender=member, recipient=other)


@pytest.mark.parametrize("status", [Invitation.Status.PENDING, Invitation.Status.IGNORED])
def test_second_invitation_while_one_is_open_is_refused(member, other, status):
    InvitationFactory(sender=member, recipient=other, status=status)

    # An ignored invitation still looks pending to its sender, as on LinkedIn.
    with refused("You've already invited Grace Hopper. The invitation is pending.", Conflict):
        services.invitation_send(sender=member, recipient=other, note="Again?")


def test_crossing_invitation_connects_both_members(member, other):
    with time_machine.travel(NOW, tick=False):
        original = services.invitation_send(sender=member, recipient=other, note="Hello")

    with time_machine.travel(LATER, tick=False):
        result = services.invitation_send(sender=other, recipient=member, note="Hi back")

    # The open invitation is accepted rather than a second one being created.
    assert result.pk == original.pk
    assert result.status == Invitation.Status.ACCEPTED
    original.refresh_from_db()
    assert original.status == Invitation.Status.ACCEPTED
    assert original.responded_at == LATER
    assert original.note == "Hello"
    assert Invitation.objects.count() == 1
    assert connection_pairs() == {(member.pk, other.pk), (other.pk, member.pk)}
    assert set(Connection.objects.values_list("created_at", flat=True)) == {LATER}


def test_crossing_an_ignored_invitation_connects_both_members(member, other):
    original = services.invitation_send(sender=member, recipient=other)
    services.invitation_ignore(member=other, invitation_id=original.pk)

    result = services.invitation_send(sender=other, recipient=member)

    assert result.pk == original.pk
    assert result.status == Invitation.Status.ACCEPTED
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    assert are_connected(member, other)


def test_invitation_against_a_withdrawn_one_is_a_new_pending_invitation(member, other):
    original = services.invitation_send(sender=member, recipient=other)
    services.invitation_withdraw(member=member, invitation_id=original.pk)

    result = services.invitation_send(sender=other, recipient=member)

    assert result.pk != original.pk
    assert result.status == Invitation.Status.PENDING
    assert (result.sender, result.recipient) == (other, member)
    assert not Connection.objects.exists()


def test_invitation_can_be_sent_again_after_the_connection_was_removed(member, other):
    connect(member, other)
    services.connection_remove(member=other, other=member)

    invitation = services.invitation_send(sender=member, recipient=other)

    assert invitation.status == Invitation.Status.PENDING
    assert Invitation.objects.filter(sender=member, recipient=other).count() == 2


def test_invitations_to_other_members_do_not_get_in_the_way(member, other):
    third = MemberFactory()
    services.invitation_send(sender=member, recipient=third)
    services.invitation_send(sender=third, recipient=other)

    invitation = services.invitation_send(sender=member, recipient=other)

    assert invitation.status == Invitation.Status.PENDING
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 3
    assert not Connection.objects.exists()


# --- invitation_accept ---------------------------------------------------------------------


def test_recipient_accepting_connects_both_directions(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    with time_machine.travel(LATER, tick=False):
        result = services.invitation_accept(member=other, invitation_id=invitation.pk)

    assert result.status == Invitation.Status.ACCEPTED
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.responded_at == LATER
    assert connection_pairs() == {(member.pk, other.pk), (other.pk, member.pk)}
    assert set(Connection.objects.values_list("created_at", flat=True)) == {LATER}


def test_sender_cannot_accept_their_own_invitation(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    with refused("That invitation doesn't exist.", NotFound):
        services.invitation_accept(member=member, invitation_id=invitation.pk)


def test_accepting_someone_elses_invitation_is_not_found(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    stranger = MemberFactory()

    with refused("That invitation doesn't exist.", NotFound):
        services.invitation_accept(member=stranger, invitation_id=invitation.pk)


def test_accepting_an_unknown_invitation_is_not_found(member):
    with refused("That invitation doesn't exist.", NotFound):
        services.invitation_accept(member=member, invitation_id=999_999)


def test_accepting_twice_is_refused(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_accept(member=other, invitation_id=invitation.pk)

    with refused("That invitation was already accepted.", Conflict):
        services.invitation_accept(member=other, invitation_id=invitation.pk)


def test_accepting_a_withdrawn_invitation_is_refused(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_withdraw(member=member, invitation_id=invitation.pk)

    with refused("That invitation was already withdrawn.", Conflict):
        services.invitation_accept(member=other, invitation_id=invitation.pk)
    assert not Connection.objects.exists()


def test_accepting_an_ignored_invitation_is_refused(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_ignore(member=other, invitation_id=invitation.pk)

    with refused("That invitation was already ignored.", Conflict):
        services.invitation_accept(member=other, invitation_id=invitation.pk)


def test_accepting_across_a_block_is_refused_as_not_found(member, other):
    # A block written without member_block (which would have withdrawn the invitation).
    invitation = InvitationFactory(sender=member, recipient=other)
    BlockFactory(blocker=member, blocked=other)

    with refused("You can't connect with this member.", NotFound):
        services.invitation_accept(member=other, invitation_id=invitation.pk)


# --- invitation_ignore ---------------------------------------------------------------------


def test_ignored_invitation_still_looks_open_to_its_sender(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    with time_machine.travel(LATER, tick=False):
        result = services.invitation_ignore(member=other, invitation_id=invitation.pk)

    assert result.status == Invitation.Status.IGNORED
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.IGNORED
    assert invitation.responded_at == LATER
    assert [m.pk for m in selectors.members_invited(member=member)] == [other.pk]
    assert list(selectors.members_who_invited(member=other)) == []
    assert selectors.pending_invitation_count(member=other) == 0
    assert not Connection.objects.exists()


def test_sender_cannot_ignore_their_own_invitation(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    with refused("That invitation doesn't exist.", NotFound):
        services.invitation_ignore(member=member, invitation_id=invitation.pk)


def test_ignoring_twice_is_refused(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_ignore(member=other, invitation_id=invitation.pk)

    with refused("That invitation was already ignored.", Conflict):
        services.invitation_ignore(member=other, invitation_id=invitation.pk)


def test_ignoring_an_accepted_invitation_is_refused(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_accept(member=other, invitation_id=invitation.pk)

    with refused("That invitation was already accepted.", Conflict):
        services.invitation_ignore(member=other, invitation_id=invitation.pk)
    assert are_connected(member, other)


# --- invitation_withdraw -------------------------------------------------------------------


def test_sender_withdraws_a_pending_invitation(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    with time_machine.travel(LATER, tick=False):
        result = services.invitation_withdraw(member=member, invitation_id=invitation.pk)

    assert result.status == Invitation.Status.WITHDRAWN
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.WITHDRAWN
    assert invitation.responded_at == LATER
    assert list(selectors.members_invited(member=member)) == []
    assert list(selectors.members_who_invited(member=other)) == []


def test_sender_withdraws_an_ignored_invitation(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_ignore(member=other, invitation_id=invitation.pk)

    services.invitation_withdraw(member=member, invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.WITHDRAWN


def test_recipient_cannot_withdraw_an_invitation(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)

    with refused("That invitation doesn't exist.", NotFound):
        services.invitation_withdraw(member=other, invitation_id=invitation.pk)


def test_withdrawing_twice_is_refused(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_withdraw(member=member, invitation_id=invitation.pk)

    with refused("That invitation was already withdrawn.", Conflict):
        services.invitation_withdraw(member=member, invitation_id=invitation.pk)


def test_withdrawing_an_accepted_invitation_is_refused_and_keeps_the_connection(member, other):
    invitation = services.invitation_send(sender=member, recipient=other)
    services.invitation_accept(member=other, invitation_id=invitation.pk)

    with refused("That invitation was already accepted.", Conflict):
        services.invitation_withdraw(member=member, invitation_id=invitation.pk)
    assert are_connected(member, other)


def test_new_invitation_can_be_sent_after_withdrawing(member, other):
    first = services.invitation_send(sender=member, recipient=other)
    services.invitation_withdraw(member=member, invitation_id=first.pk)

    second = services.invitation_send(sender=member, recipient=other, note="Second try")

    assert second.pk != first.pk
    assert second.status == Invitation.Status.PENDING
    [inviter] = selectors.members_who_invited(member=other)
    assert (inviter.pk, inviter.invitation_note) == (member.pk, "Second try")


# --- connection_remove ---------------------------------------------------------------------


@pytest.mark.parametrize("remover", ["inviter", "invitee"])
def test_either_side_removing_a_connection_deletes_both_rows(member, other, remover):
    third = MemberFactory()
    connect(member, other)
    connect(member, third)

    if remover == "inviter":
        services.connection_remove(member=member, other=other)
    else:
        services.connection_remove(member=other, other=member)

    assert connection_pairs() == {(member.pk, third.pk), (third.pk, member.pk)}
    # The accepted invitation is history and stays as it was.
    assert Invitation.objects.filter(status=Invitation.Status.ACCEPTED).count() == 2


def test_removing_a_connection_that_does_not_exist_is_refused(member, other):
    connect(member, MemberFactory())

    with refused("You're not connected with Grace Hopper.", Conflict):
        services.connection_remove(member=member, other=other)


def test_removing_a_connection_twice_is_refused(member, other):
    connect(member, other)
    services.connection_remove(member=member, other=other)

    with refused("You're not connected with Ada Lovelace.", Conflict):
        services.connection_remove(member=other, other=member)


# --- member_block --------------------------------------------------------------------------


def test_block_stores_the_block_and_ends_the_connection_both_ways(member, other):
    third = MemberFactory()
    connect(member, other)
    connect(other, third)

    with time_machine.travel(NOW, tick=False):
        block = services.member_block(blocker=member, blocked=other)

    assert (block.blocker, block.blocked, block.created_at) == (member, other, NOW)
    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(member.pk, other.pk)]
    assert connection_pairs() == {(other.pk, third.pk), (third.pk, other.pk)}


def test_block_withdraws_open_invitations_both_ways(member, other):
    third = MemberFactory()
    outgoing = InvitationFactory(sender=member, recipient=other, status=Invitation.Status.PENDING)
    incoming = InvitationFactory(sender=other, recipient=member, status=Invitation.Status.IGNORED)
    accepted = InvitationFactory(sender=other, recipient=member, status=Invitation.Status.ACCEPTED)
    with_third = InvitationFactory(sender=other, recipient=third)

    with time_machine.travel(LATER, tick=False):
        services.member_block(blocker=member, blocked=other)

    for invitation in (outgoing, incoming):
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.WITHDRAWN
        assert invitation.responded_at == LATER
    accepted.refresh_from_db()
    assert accepted.status == Invitation.Status.ACCEPTED
    with_third.refresh_from_db()
    assert with_third.status == Invitation.Status.PENDING
    assert selectors.pending_invitation_count(member=member) == 0
    assert [m.pk for m in selectors.members_invited(member=other)] == [with_third.recipient_id]


def test_block_of_a_member_who_is_not_connected_stores_only_the_block(member, other):
    block = services.member_block(blocker=member, blocked=other)

    assert Block.objects.get() == block
    assert not Connection.objects.exists()
    assert not Invitation.objects.exists()


def test_blocking_twice_is_refused(member, other):
    services.member_block(blocker=member, blocked=other)

    with refused("You've already blocked Grace Hopper.", Conflict):
        services.member_block(blocker=member, blocked=other)


def test_blocked_member_may_block_back(member, other):
    services.member_block(blocker=member, blocked=other)

    services.member_block(blocker=other, blocked=member)

    assert set(Block.objects.values_list("blocker_id", "blocked_id")) == {
        (member.pk, other.pk),
        (other.pk, member.pk),
    }


def test_blocking_yourself_is_refused(member):
    with refused("You can't block yourself."):
        services.member_block(blocker=member, blocked=member)


# --- member_unblock ------------------------------------------------------------------------


def test_unblock_removes_the_block_but_restores_nothing_else(member, other):
    connect(member, other)
    invitation = InvitationFactory(sender=other, recipient=member)
    services.member_block(blocker=member, blocked=other)

    result = services.member_unblock(blocker=member, blocked_id=other.pk)

    assert result == other
    assert not Block.objects.exists()
    assert not Connection.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.WITHDRAWN


def test_after_unblocking_the_members_can_invite_each_other_again(member, other):
    services.member_block(blocker=member, blocked=other)
    services.member_unblock(blocker=member, blocked_id=other.pk)

    invitation = services.invitation_send(sender=other, recipient=member)

    assert invitation.status == Invitation.Status.PENDING


def test_unblocking_a_member_who_is_not_blocked_is_not_found(member, other):
    with refused("You haven't blocked this member.", NotFound):
        services.member_unblock(blocker=member, blocked_id=other.pk)


def test_blocked_member_cannot_lift_the_block_on_them(member, other):
    services.member_block(blocker=member, blocked=other)

    with refused("You haven't blocked this member.", NotFound):
        services.member_unblock(blocker=other, blocked_id=member.pk)
    assert Block.objects.filter(blocker=member, blocked=other).exists()


def test_unblocking_lifts_only_your_own_block(member, other):
    services.member_block(blocker=member, blocked=other)
    services.member_block(blocker=other, blocked=member)

    services.member_unblock(blocker=member, blocked_id=other.pk)

    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(other.pk, member.pk)]
    with refused("You can't connect with this member.", NotFound):
        services.invitation_send(sender=member, recipient=other)


# --- cached suggestions --------------------------------------------------------------------


@pytest.fixture
def friends(member, other):
    """Ada and Grace are each connected to Friend, and so each other's suggestion."""
    friend = MemberFactory(first_name="Friend")
    connect(member, friend)
    connect(other, friend)
    return friend


def suggested_pks(member):
    return {m.pk for m in selectors.suggestions(viewer=member)}


def suggested_to_each_other(a, b) -> tuple[bool, bool]:
    """Whether `b` is among `a`'s suggestions, and `a` among `b`'s."""
    return b.pk in suggested_pks(a), a.pk in suggested_pks(b)


def test_withdrawing_an_invitation_suggests_both_members_to_each_other_again(
    member, other, friends
):
    invitation = services.invitation_send(sender=member, recipient=other)
    # Both rankings are cached without the other member.
    assert suggested_to_each_other(member, other) == (False, False)

    services.invitation_withdraw(member=member, invitation_id=invitation.pk)

    assert suggested_to_each_other(member, other) == (True, True)


def test_removing_a_connection_suggests_both_members_to_each_other_again(member, other, friends):
    connect(member, other)
    assert suggested_to_each_other(member, other) == (False, False)

    services.connection_remove(member=member, other=other)

    assert suggested_to_each_other(member, other) == (True, True)


def test_unblocking_suggests_both_members_to_each_other_again(member, other, friends):
    services.member_block(blocker=member, blocked=other)
    assert suggested_to_each_other(member, other) == (False, False)

    services.member_unblock(blocker=member, blocked_id=other.pk)

    assert suggested_to_each_other(member, other) == (True, True)


def test_a_change_drops_the_cached_suggestions_of_both_members(member, other, friends):
    suggested_pks(member), suggested_pks(other)  # both ranked and cached
    # Connections no service wrote: only a ranking computed again finds the newcomer.
    newcomer = MemberFactory()
    Connection.objects.bulk_create(
        [Connection(member=newcomer, other=friends), Connection(member=friends, other=newcomer)]
    )
    assert newcomer.pk not in suggested_pks(member) | suggested_pks(other)

    services.invitation_send(sender=member, recipient=other)

    assert newcomer.pk in suggested_pks(member)
    assert newcomer.pk in suggested_pks(other)
