import functools
import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from core.forms import FormRenderer


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


# core.forms.FormRenderer writes the plain inputs and the textarea itself: as Django's own
# templates would, character for character.

WIDGETS = [
    forms.TextInput,
    forms.EmailInput,
    functools.partial(forms.PasswordInput, render_value=True),
    forms.HiddenInput,
    forms.SearchInput,
    forms.NumberInput,
    forms.URLInput,
    forms.TelInput,
    forms.Textarea,
]
VALUES = [None, "", "plain", "a <b>&\"' c", mark_safe("<em>safe</em>"), 0, 2.5, "two\nlines"]
ATTRS = {
    "maxlength": 2000,
    "required": True,
    "disabled": False,
    "placeholder": gettext_lazy('Say "hi" <now>'),
    "data-x": None,
    "aria-describedby": "a b",
}


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: getattr(w, "__name__", "PasswordInput"))
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("attrs", [{}, ATTRS], ids=["no attrs", "attrs"])
def test_the_fast_widgets_render_as_djangos_templates(widget, value, attrs):
    widget = widget(attrs=attrs)
    ours = widget.render("body", value, attrs={"id": "id_body"}, renderer=FormRenderer())
    djangos = widget.render("body", value, attrs={"id": "id_body"}, renderer=TemplatesSetting())

    assert ours == djangos
    assert isinstance(ours, SafeString)


def test_other_widgets_still_use_their_templates():
    widget = forms.Select(choices=[("a", "A <1>")])

    assert widget.render("pick", "a", renderer=FormRenderer()) == widget.render(
        "pick", "a", renderer=TemplatesSetting()
    )
