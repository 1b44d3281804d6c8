"""The message form's text rules, as the compose window shows them."""

import html
import uuid

import pytest
from django.urls import reverse

from inmail.models import Conversation, Message
from premium import services as premium_services
from tests.factories import subscribe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("subject", "body", "error"),
    [
        (
            "Hello\r\nBcc: everyone@example.com",
            "Hi Grace",
            "Your subject can't contain line breaks, tabs or other control characters.",
        ),
        ("Hello", "Hi\x07Grace", "Your message can't contain control characters."),
        ("\u200b\u200b", "Hi Grace", "Your subject has nothing visible in it: write some text."),
        ("Hello", "\u2800\u200b", "Your message has nothing visible in it: write some text."),
    ],
    ids=["CR/LF subject", "bell in the body", "invisible subject", "invisible body"],
)
def test_the_compose_window_refuses_control_and_invisible_text_and_spends_nothing(
    member_client, member, other, subject, body, error
):
    subscribe(member)
    url = reverse("inmail:compose", kwargs={"slug": other.slug})

    response = member_client.post(
        url,
        {"subject": subject, "body": body, "token": uuid.uuid4()},
        headers={"HX-Request": "true"},
    )

    # htmx refusals answer 422, which htmx swaps into the form (see core.http.fragment_status).
    assert response.status_code == 422
    assert error in html.unescape(response.content.decode())
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
    assert premium_services.premium_status(member=member).balance == 5
