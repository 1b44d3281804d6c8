"""Writes for members, connections, invitations and blocks. Each service is one transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import selectors
from accounts.models import NOTE_MAX_LENGTH, Block, Connection, Invitation, Member
from core.errors import Conflict, Invalid, NotFound, Unavailable
from core.validators import check_member_text


def _check_member_text(**fields: str) -> None:
    try:
        check_member_text(**fields)
    except ValidationError as error:
        raise Invalid(error.messages[0]) from None


def _pair(a: Member, b: Member) -> Q:
    return Q(sender=a, recipient=b) | Q(sender=b, recipient=a)


def lock_pair(a: Member, b: Member) -> None:
    """Lock both members' rows, in id order, so that two members acting on each other at the
    same moment (crossing invitations, accept vs. block, two sends) take turns instead of
    deadlocking. inmail's sends take the same lock."""
    list(Member.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk"))


def _is_blocked(a: Member, b: Member) -> bool:
    return bool(selectors.blockers_between(a, b))


def _disconnect(a: Member, b: Member) -> int:
    """Delete both rows of a connection; the number of rows deleted (0 or 2)."""
    deleted, _ = Connection.objects.filter(Q(member=a, other=b) | Q(member=b, other=a)).delete()
    return deleted


def _connect(a: Member, b: Member) -> None:
    now = timezone.now()
    Connection.objects.bulk_create(
        [
            Connection(member=a, other=b, created_at=now),
            Connection(member=b, other=a, created_at=now),
        ],
        ignore_conflicts=True,
    )


EMAIL_TAKEN = "An account with this email already exists. Sign in instead."


@transaction.atomic
def member_signup(
    *, email: str, password: str, first_name: str, last_name: str, headline: str = ""
) -> Member:
    email = Member.objects.normalize_email(email).strip().lower()
    first_name, last_name, headline = first_name.strip(), last_name.strip(), headline.strip()
    _check_member_text(first_name=first_name, last_name=last_name, headline=headline)
    if Member.objects.filter(email=email).exists():
        raise Conflict(EMAIL_TAKEN)
    # Two sign-ups can race past the checks: on the email (refuse), or on the slug when two
    # people with the same name join at once (create_user picks the slug anew on each try).
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Member.objects.create_user(
                    email=email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    headline=headline,
                )
        except IntegrityError:
            if Member.objects.filter(email=email).exists():
                raise Conflict(EMAIL_TAKEN) from None
    raise Unavailable("We couldn't create your account just now. Please try again.")


@transaction.atomic
def member_update_profile(
    *, member: Member, first_name: str, last_name: str, headline: str, location: str, about: str
) -> Member:
    fields = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "headline": headline.strip(),
        "location": location.strip(),
        "about": about.strip(),
    }
    _check_member_text(**fields)
    for name, value in fields.items():
        setattr(member, name, value)
    member.save(update_fields=["first_name", "last_name", "headline", "location", "about"])
    return member


@transaction.atomic
def member_update_settings(*, member: Member, accept_inmail: bool, read_receipts: bool) -> Member:
    member.accept_inmail = accept_inmail
    member.read_receipts = read_receipts
    member.save(update_fields=["accept_inmail", "read_receipts"])
    return member


@transaction.atomic
def invitation_send(*, sender: Member, recipient: Member, note: str = "") -> Invitation:
    """Invite `recipient` to connect.

    If `recipient` already invited `sender`, the two clearly want the same thing: that
    invitation is accepted and the returned invitation has status ACCEPTED.
    """
    note = note.strip()
    if sender.pk == recipient.pk:
        raise Invalid("You can't invite yourself to connect.")
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid(f"Your note can be at most {NOTE_MAX_LENGTH} characters; it has {len(note)}.")
    lock_pair(sender, recipient)
    if _is_blocked(sender, recipient):
        raise NotFound("You can't connect with this member.")
    if Connection.objects.filter(member=sender, other=recipient).exists():
        raise Conflict(f"You're already connected with {recipient.full_name}.")
    if Invitation.objects.filter(
        sender=sender, recipient=recipient, status__in=Invitation.OPEN_STATUSES
    ).exists():
        raise Conflict(f"You've already invited {recipient.full_name}. The invitation is pending.")
    selectors.forget_suggestions(sender, recipient)
    crossing = (
        Invitation.objects.filter(
            sender=recipient, recipient=sender, status__in=Invitation.OPEN_STATUSES
        )
        .order_by("-created_at")
        .first()
    )
    if crossing is not None:
        return _accept(crossing)
    return Invitation.objects.create(sender=sender, recipient=recipient, note=note)


def _accept(invitation: Invitation) -> Invitation:
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _connect(invitation.sender, invitation.recipient)
    selectors.forget_suggestions(invitation.sender, invitation.recipient)
    return invitation


def _open_invitation(*, invitation_id: int, statuses, **owner) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("sender", "recipient")
        .filter(pk=invitation_id, **owner)
        .first()
    )
    if invitation is None:
        raise NotFound("That invitation doesn't exist.")
    if invitation.status not in statuses:
        raise Conflict(f"That invitation was already {invitation.get_status_display().lower()}.")
    return invitation


@transaction.atomic
def invitation_accept(*, member: Member, invitation_id: int) -> Invitation:
    sender = Member.objects.filter(
        sent_invitations__pk=invitation_id, sent_invitations__recipient=member
    ).first()
    if sender is None:
        raise NotFound("That invitation doesn't exist.")
    # Same lock order as member_block, so an accept and a block of the pair take turns.
    lock_pair(sender, member)
    invitation = _open_invitation(
        invitation_id=invitation_id, recipient=member, statuses=[Invitation.Status.PENDING]
    )
    if _is_blocked(invitation.sender, member):
        raise NotFound("You can't connect with this member.")
    return _accept(invitation)


@transaction.atomic
def invitation_ignore(*, member: Member, invitation_id: int) -> Invitation:
    invitation = _open_invitation(
        invitation_id=invitation_id, recipient=member, statuses=[Invitation.Status.PENDING]
    )
    invitation.status = Invitation.Status.IGNORED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return invitation


@transaction.atomic
def invitation_withdraw(*, member: Member, invitation_id: int) -> Invitation:
    invitation = _open_invitation(
        invitation_id=invitation_id, sender=member, statuses=Invitation.OPEN_STATUSES
    )
    invitation.status = Invitation.Status.WITHDRAWN
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    # Each may be suggested to the other again.
    selectors.forget_suggestions(invitation.sender, invitation.recipient)
    return invitation


@transaction.atomic
def connection_remove(*, member: Member, other: Member) -> None:
    if not _disconnect(member, other):
        raise Conflict(f"You're not connected with {other.full_name}.")
    selectors.forget_suggestions(member, other)


@transaction.atomic
def member_block(*, blocker: Member, blocked: Member) -> Block:
    """Block a member: like LinkedIn, this also ends the connection and any open invitations."""
    if blocker.pk == blocked.pk:
        raise Invalid("You can't block yourself.")
    lock_pair(blocker, blocked)
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if not created:
        raise Conflict(f"You've already blocked {blocked.full_name}.")
    _disconnect(blocker, blocked)
    Invitation.objects.filter(_pair(blocker, blocked), status__in=Invitation.OPEN_STATUSES).update(
        status=Invitation.Status.WITHDRAWN, responded_at=timezone.now()
    )
    selectors.forget_suggestions(blocker, blocked)
    return block


@transaction.atomic
def member_unblock(*, blocker: Member, blocked_id: int) -> Member:
    block = (
        Block.objects.select_related("blocked")
        .filter(blocker=blocker, blocked_id=blocked_id)
        .first()
    )
    if block is None:
        raise NotFound("You haven't blocked this member.")
    block.delete()
    selectors.forget_suggestions(blocker, block.blocked)
    return block.blocked
