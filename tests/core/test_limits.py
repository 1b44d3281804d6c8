"""Rate limits at their boundaries: the Nth attempt in a window passes, the N+1th answers 429
with what was limited and when to try again, stores nothing, and the next window lets the
member in again. The clock is frozen and moved with time-machine.

The counters are the ones the views use: each test spends all but the last allowed attempts
through core.limits.limit with the view's own key (a wrong key would let the N+1th through),
then makes the last allowed attempt and the refused one through the real view.
"""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Invitation, Member
from core.limits import limit
from inmail.models import Conversation, Message
from premium import services as premium_services
from tests.assertions import text
from tests.factories import MemberFactory, connect, subscribe

START = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
IP = "127.0.0.1"  # the test client's REMOTE_ADDR

pytestmark = pytest.mark.usefixtures("clock")


def use_up(name, key, times):
    """Count `times` attempts at the limit `name` for `key`, as the views do."""
    request = RequestFactory().post("/")
    for _ in range(times):
        limit(request, name, key=key)


def assert_limited(response, message, *, longest):
    """A 429 page saying `message` and when to try again, within `longest`."""
    page = text(response)
    assert response.status_code == 429
    assert message in page
    assert "Try again in" in page
    assert "Nothing was sent or saved." in page
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= longest.total_seconds()


LOGIN = reverse("login")
LOCKED = (
    "Too many failed sign-ins for this account or from your network. For your security, "
    "sign-in is locked for 15 minutes after 10 failed attempts. Try again later, or reset "
    "your password."
)


def sign_in(client, email, password, ip=IP):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
class TestSignInLockout:
    """django-axes: 10 failures for one account or from one address lock it for 15 minutes."""

    @pytest.fixture
    def ada(self, member):
        member.set_password("the-right-password")
        member.save()
        return member

    def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
        self, client, ada, clock
    ):
        statuses = [sign_in(client, "ada@example.com", "wrong").status_code for _ in range(10)]
        response = sign_in(client, "ada@example.com", "the-right-password")

        # The tenth failure is the one that locks: it already answers with the lockout.
        assert statuses == [400] * 9 + [429]
        page = text(response)
        assert response.status_code == 429
        assert LOCKED in page
        assert 'name="username"' in page  # the sign-in form, not an error page
        assert response["Retry-After"] == "900"
        assert not signed_in(client)

        clock.shift(timedelta(minutes=14, seconds=59))
        assert sign_in(client, "ada@example.com", "the-right-password").status_code == 429
        clock.shift(timedelta(seconds=1))
        assert sign_in(client, "ada@example.com", "the-right-password").status_code == 302
        assert signed_in(client)

    def test_nine_wrong_passwords_leave_the_right_one_working(self, client, ada):
        for _ in range(9):
            sign_in(client, "ada@example.com", "wrong")

        assert sign_in(client, "ada@example.com", "the-right-password").status_code == 302

    def test_an_account_is_locked_whatever_the_addresses_and_the_email_case(self, client, ada):
        for n in range(10):
            email = "ADA@Example.com" if n % 2 else "ada@example.com"
            sign_in(client, email, "wrong", ip=f"198.51.100.{n}")

        response = sign_in(client, "ada@example.com", "the-right-password", ip="203.0.113.9")

        assert response.status_code == 429
        assert not signed_in(client)

    def test_a_password_spray_from_one_address_is_locked_after_ten(self, client, ada):
        for n in range(10):
            sign_in(client, f"someone{n}@example.com", "Summer2026!")

        response = sign_in(client, "ada@example.com", "the-right-password")

        assert response.status_code == 429
        assert LOCKED in text(response)
        # Another address may still sign in to the same account.
        assert (
            sign_in(client, "ada@example.com", "the-right-password", ip="203.0.113.9").status_code
            == 302
        )


def signup_data(n):
    return {
        "first_name": "New",
        "last_name": f"Member{n}",
        "email": f"new{n}@example.com",
        "password": "a-long-enough-passphrase",
    }


@pytest.mark.django_db
class TestSignup:
    URL = reverse("accounts:signup")
    REFUSED = "Too many accounts were created from your network: at most 10 an hour."

    def test_the_tenth_signup_from_an_address_passes_the_eleventh_is_refused(self, client, clock):
        use_up("signup", IP, 9)

        assert client.post(self.URL, signup_data(10)).status_code == 302
        client.logout()
        response = client.post(self.URL, signup_data(11))

        assert_limited(response, self.REFUSED, longest=timedelta(hours=1))
        assert not Member.objects.filter(email="new11@example.com").exists()

        clock.shift(timedelta(hours=1))
        assert client.post(self.URL, signup_data(11)).status_code == 302

    def test_another_address_is_counted_on_its_own(self, client):
        use_up("signup", IP, 10)

        response = client.post(self.URL, signup_data(1), REMOTE_ADDR="192.0.2.7")

        assert response.status_code == 302


@pytest.mark.django_db
class TestPasswordReset:
    URL = reverse("password_reset")

    def test_three_emails_to_one_address_pass_the_fourth_is_refused(
        self, client, member, mailoutbox, clock
    ):
        for _ in range(3):
            assert client.post(self.URL, {"email": "ada@example.com"}).status_code == 302
        # Counted by address, whatever its case.
        response = client.post(self.URL, {"email": "ADA@example.com"})

        assert_limited(
            response,
            "Too many password reset emails were asked for this address: at most 3 an hour.",
            longest=timedelta(hours=1),
        )
        assert len(mailoutbox) == 3

        clock.shift(timedelta(hours=1))
        assert client.post(self.URL, {"email": "ada@example.com"}).status_code == 302
        assert len(mailoutbox) == 4

    def test_an_address_without_an_account_is_limited_the_same(self, client, mailoutbox):
        for _ in range(3):
            assert client.post(self.URL, {"email": "nobody@example.com"}).status_code == 302

        assert client.post(self.URL, {"email": "nobody@example.com"}).status_code == 429
        assert len(mailoutbox) == 3

    def test_twenty_emails_from_one_network_pass_the_twenty_first_is_refused(
        self, client, mailoutbox
    ):
        use_up("password_reset_ip", IP, 19)

        assert client.post(self.URL, {"email": "one@example.com"}).status_code == 302
        response = client.post(self.URL, {"email": "two@example.com"})

        assert_limited(
            response,
            "Too many password reset emails were asked for from your network: at most 20 an hour.",
            longest=timedelta(hours=1),
        )
        assert [email.to for email in mailoutbox] == [["one@example.com"]]


@pytest.mark.django_db
class TestInvitations:
    REFUSED = "You've sent as many invitations as you can: at most 100 a week."

    def connect_url(self, member):
        return reverse("accounts:connect", kwargs={"slug": member.slug})

    def test_the_hundredth_invitation_in_a_week_passes_the_next_is_refused(
        self, member_client, member, clock
    ):
        use_up("invitation", str(member.pk), 99)
        first, second = MemberFactory.create_batch(2)

        assert member_client.post(self.connect_url(first)).status_code == 302
        response = member_client.post(self.connect_url(second))

        assert_limited(response, self.REFUSED, longest=timedelta(days=7))
        assert list(Invitation.objects.values_list("recipient", flat=True)) == [first.pk]

        clock.shift(timedelta(days=7))
        assert member_client.post(self.connect_url(second)).status_code == 302
        assert Invitation.objects.count() == 2

    def test_with_htmx_the_notice_goes_above_the_buttons(self, member_client, member):
        use_up("invitation", str(member.pk), 100)
        recipient = MemberFactory()

        response = member_client.post(self.connect_url(recipient), headers=HTMX)

        page = text(response)
        assert response.status_code == 429
        assert response["HX-Reswap"] == "afterbegin"
        assert page.lstrip().startswith('<div class="notice notice--limited" role="alert">')
        assert "<html" not in page
        assert self.REFUSED in page
        assert not Invitation.objects.exists()

    def test_each_member_is_counted_on_their_own(self, client, member, other):
        use_up("invitation", str(member.pk), 100)
        client.force_login(other)

        assert client.post(self.connect_url(MemberFactory())).status_code == 302


def send_data():
    return {"subject": "Quick question", "body": "Hello, shall we talk?", "token": uuid.uuid4()}


def compose_url(member):
    return reverse("inmail:compose", kwargs={"slug": member.slug})


def stored():
    return (Conversation.objects.count(), Message.objects.count())


@pytest.mark.django_db
class TestMessages:
    REFUSED = "You've sent as many messages as you can for now: at most 60 an hour."

    def test_the_sixtieth_message_in_an_hour_passes_the_next_is_refused(
        self, member_client, member, other, clock
    ):
        connect(member, other)
        use_up("message", str(member.pk), 59)

        assert member_client.post(compose_url(other), send_data()).status_code == 302
        before = stored()
        response = member_client.post(compose_url(other), send_data())

        assert_limited(response, self.REFUSED, longest=timedelta(hours=1))
        assert stored() == before

        clock.shift(timedelta(hours=1))
        assert member_client.post(compose_url(other), send_data()).status_code == 302

    def test_a_paid_inmail_counts_and_is_refused_without_spending_a_credit(
        self, member_client, member, other
    ):
        subscribe(member)
        use_up("message", str(member.pk), 60)

        response = member_client.post(compose_url(other), send_data(), headers=HTMX)

        assert response.status_code == 429
        assert response["HX-Reswap"] == "afterbegin"
        assert self.REFUSED in text(response)
        assert stored() == (0, 0)
        assert premium_services.premium_status(member=member).balance == 5

    def test_a_reply_in_a_thread_counts_too(self, member_client, member, other):
        connect(member, other)
        member_client.post(compose_url(other), send_data())
        conversation = Conversation.objects.get()
        use_up("message", str(member.pk), 59)
        url = reverse("inmail:reply", kwargs={"conversation_id": conversation.pk})

        response = member_client.post(url, {"body": "One more thing", "token": uuid.uuid4()})

        assert response.status_code == 429
        assert self.REFUSED in text(response)
        assert Message.objects.count() == 1


@pytest.mark.django_db
class TestOpenProfileMessages:
    REFUSED = "You've sent as many free messages to Open Profiles as you can: at most 30 a day."

    @pytest.fixture
    def open_profiles(self):
        members = MemberFactory.create_batch(2)
        for owner in members:
            subscribe(owner)
            premium_services.open_profile_set(member=owner, enabled=True)
        return members

    def test_the_thirtieth_free_message_in_a_day_passes_the_next_is_refused(
        self, member_client, member, open_profiles, clock
    ):
        first, second = open_profiles
        use_up("open_profile", str(member.pk), 29)

        assert member_client.post(compose_url(first), send_data()).status_code == 302
        response = member_client.post(compose_url(second), send_data())

        assert_limited(response, self.REFUSED, longest=timedelta(days=1))
        assert list(Conversation.objects.values_list("recipient", flat=True)) == [first.pk]

        clock.shift(timedelta(days=1))
        assert member_client.post(compose_url(second), send_data()).status_code == 302

    def test_messages_to_connections_are_not_counted_as_open_profile_messages(
        self, member_client, member, other
    ):
        connect(member, other)
        use_up("open_profile", str(member.pk), 30)

        assert member_client.post(compose_url(other), send_data()).status_code == 302


@pytest.mark.django_db
def test_limits_are_settings(member_client, member, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": "2/h"}
    recipients = MemberFactory.create_batch(3)
    url = TestInvitations().connect_url

    assert [member_client.post(url(r)).status_code for r in recipients] == [302, 302, 429]
    assert "at most 2 an hour" in text(member_client.post(url(recipients[2])))


@pytest.mark.django_db
def test_the_page_says_when_to_try_again(member_client, member, other, clock):
    connect(member, other)
    use_up("message", str(member.pk), 60)

    response = member_client.post(compose_url(other), send_data())

    retry_at = START + timedelta(seconds=int(response["Retry-After"]))
    assert re.search(r"Try again in \d+", text(response))
    assert f'<time datetime="{retry_at.isoformat()}">' in response.content.decode()
