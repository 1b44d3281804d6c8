"""The account forms' text rules, and a password reset that does the same work whether or not
an account uses the address."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse

from accounts.forms import PasswordResetForm, SettingsForm
from accounts.models import Member
from tests.assertions import text

pytestmark = pytest.mark.django_db


def signup_data(**fields):
    data = {
        "first_name": "Alex",
        "last_name": "Admin",
        "email": "alex@example.com",
        "password": "a-long-enough-passphrase",
        "headline": "",
    }
    data.update(fields)
    return data


SIGNUP_REFUSALS = {
    "zero-width space in a name": (
        {"first_name": "Alex\u200b"},
        "Your first name can't contain invisible characters or text-direction controls.",
    ),
    "right-to-left override in a name": (
        {"last_name": "\u202enimdA"},
        "Your last name can't contain invisible characters or text-direction controls.",
    ),
    "a name with nothing visible": (
        {"first_name": "\u3164"},
        "Your first name can't contain invisible characters or text-direction controls.",
    ),
    "CR/LF in a name": (
        {"first_name": "Alex\r\nBcc: x"},
        "Your first name can't contain line breaks, tabs or other control characters.",
    ),
    "CR/LF in the headline": (
        {"headline": "Engineer\r\nat Acme"},
        "Your headline can't contain line breaks, tabs or other control characters.",
    ),
}


@pytest.mark.parametrize(("fields", "error"), SIGNUP_REFUSALS.values(), ids=SIGNUP_REFUSALS)
def test_signup_refuses_hidden_and_control_characters_and_creates_nobody(client, fields, error):
    response = client.post(reverse("accounts:signup"), signup_data(**fields))

    assert response.status_code == 400
    assert error in text(response)
    assert not Member.objects.exists()


PROFILE_REFUSALS = {
    "CR/LF in the location": (
        {"location": "London\r\nParis"},
        "Your location can't contain line breaks, tabs or other control characters.",
    ),
    "a tab in the headline": (
        {"headline": "Engineer\tat Acme"},
        "Your headline can't contain line breaks, tabs or other control characters.",
    ),
    "a bidi isolate in a name": (
        {"first_name": "Ada\u2067"},
        "Your first name can't contain invisible characters or text-direction controls.",
    ),
}


@pytest.mark.parametrize(("fields", "error"), PROFILE_REFUSALS.values(), ids=PROFILE_REFUSALS)
def test_profile_edit_refuses_hidden_and_control_characters_and_changes_nothing(
    member_client, member, fields, error
):
    data = {"first_name": "Ada", "last_name": "Lovelace", "headline": "", "location": ""}
    data.update(fields)
    data["about"] = "Line one\r\nLine two"  # line breaks are fine in the about section
    before = Member.objects.values().get(pk=member.pk)

    response = member_client.post(reverse("accounts:profile_edit"), data)

    assert response.status_code == 400
    assert error in text(response)
    assert Member.objects.values().get(pk=member.pk) == before


class TestPasswordReset:
    """Both paths make a token, render an email and hand it to the mail backend: the time the
    request takes no longer says whether an account uses the address."""

    @pytest.fixture
    def spies(self, monkeypatch):
        calls = {"make_token": [], "send": []}
        make_token = default_token_generator.make_token

        def spy_make_token(user):
            calls["make_token"].append(user.email)
            return make_token(user)

        def spy_send(self, subject_template, email_template, context, from_email, to_email, **kw):
            calls["send"].append(to_email)
            return original_send(
                self, subject_template, email_template, context, from_email, to_email, **kw
            )

        original_send = PasswordResetForm.send_mail
        monkeypatch.setattr(default_token_generator, "make_token", spy_make_token)
        monkeypatch.setattr(PasswordResetForm, "send_mail", spy_send)
        return calls

    @pytest.mark.parametrize("email", ["ada@example.com", "nobody@example.com"])
    def test_a_known_and_an_unknown_address_go_through_the_same_steps(
        self, client, member, spies, mailoutbox, email
    ):
        response = client.post(reverse("password_reset"), {"email": email})

        assert response.status_code == 302
        assert spies == {"make_token": [email], "send": [email]}
        assert [message.to for message in mailoutbox] == [[email]]

    def test_an_unknown_address_is_told_no_account_uses_it(self, client, mailoutbox):
        client.post(reverse("password_reset"), {"email": "nobody@example.com"})

        [email] = mailoutbox
        assert email.subject == "Your InMail password reset request"
        assert "no InMail account uses it" in email.body
        assert "/accounts/reset/" not in email.body
        assert "/signup/" in email.body

    def test_the_page_says_the_same_either_way(self, client, member):
        pages = [
            text(client.post(reverse("password_reset"), {"email": email}, follow=True))
            for email in ["ada@example.com", "nobody@example.com"]
        ]

        # The CSRF token and the CSP nonce are new on every page.
        known, unknown = (re.sub(r'"X-CSRFToken": "\w+"|nonce="[^"]*"', "", page) for page in pages)
        assert known == unknown


class TestSettingsForm:
    def test_an_unticked_box_turns_its_setting_off(self, member):
        form = SettingsForm({"accept_inmail": "on"}, instance=member)

        assert form.is_valid()
        assert form.cleaned_data == {"accept_inmail": True, "read_receipts": False}

    def test_read_receipts_render_as_a_labelled_checkbox_described_by_its_help(self, member):
        field = SettingsForm(instance=member)["read_receipts"]

        html = field.as_field_group()

        assert 'aria-describedby="id_read_receipts_helptext"' in html
        assert re.search(r'<input type="checkbox" name="read_receipts"[^>]* checked', html)
        assert '<label for="id_read_receipts">Read receipts</label>' in html
        assert 'id="id_read_receipts_helptext">Let members see when' in html
