import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_every_id_a_field_is_described_by_is_on_the_page(client):
    """Help text and errors carry the ids Django's aria-describedby names (core.forms)."""
    response = client.post(reverse("accounts:signup"), {"email": "not an email", "password": ""})

    page = response.content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert "id_password_helptext id_password_error" in described
    assert "id_email_error" in described
    for names in described:
        assert set(names.split()) <= ids, names
    assert '<small class="field__help muted" id="id_password_helptext">' in page
    assert '<div id="id_email_error"><p class="field__error" role="alert">' in page
