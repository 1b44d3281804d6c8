import factory
from django.contrib.auth.hashers import make_password

from accounts import services
from accounts.models import Block, Invitation, Member

PASSWORD = "inmail-demo-2026"
# Hash once: PBKDF2 per member would make every test slow.
PASSWORD_HASH = make_password(PASSWORD)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"member{n}@example.com")
    slug = factory.Sequence(lambda n: f"member-{n}")
    headline = factory.Faker("job")
    location = factory.Faker("city")
    password = PASSWORD_HASH


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    sender = factory.SubFactory(MemberFactory)
    recipient = factory.SubFactory(MemberFactory)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(MemberFactory)
    blocked = factory.SubFactory(MemberFactory)


def connect(a: Member, b: Member) -> None:
    """Connect two members the way members do: an invitation, then its acceptance."""
    invitation = services.invitation_send(sender=a, recipient=b)
    services.invitation_accept(member=b, invitation_id=invitation.pk)


def subscribe(member: Member, plan_slug: str = "premium-essentials"):
    """Start a Premium plan for `member` the way members do; the plans come from a migration."""
    from premium import services as premium_services
    from premium.models import Plan

    return premium_services.subscription_start(member=member, plan=Plan.objects.get(slug=plan_slug))
