"""core.validators: what a name, a one-line field and a message may hold."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    check_multiline,
    check_name,
    check_single_line,
    check_visible,
    has_visible_text,
)

INVISIBLE = {
    "spaces": "   ",
    "no-break and ideographic spaces": "\u00a0\u3000",
    "zero-width space": "\u200b",
    "zero-width joiners": "\u200c\u200d\u2060",
    "byte order mark": "\ufeff",
    "bidi controls": "\u202e\u2066",
    "tag characters": "\U000e0041\U000e0042",
    "hangul filler": "\u3164",
    "braille blank": "\u2800",
    "a combining mark alone": "\u0301",
    "line breaks": "\n\r\n\u2028",
}


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE)
def test_text_with_nothing_visible_is_refused(value):
    assert not has_visible_text(value)
    with pytest.raises(ValidationError) as info:
        check_visible(value, label="Your subject")
    assert info.value.messages == ["Your subject has nothing visible in it: write some text."]


@pytest.mark.parametrize("value", ["a", "\u200bHi\u200b", "日本", "ß", "🙂", "e\u0301"])
def test_text_with_something_visible_passes(value):
    assert has_visible_text(value)
    check_visible(value, label="Your subject")


CONTROL = {"CR/LF": "Hi\r\nBcc: x", "LF": "Hi\nthere", "tab": "Hi\tthere", "escape": "\x1b[31m"}


@pytest.mark.parametrize("value", CONTROL.values(), ids=CONTROL)
def test_one_line_fields_refuse_control_characters(value):
    with pytest.raises(ValidationError) as info:
        check_single_line(value, label="Your subject")
    assert info.value.messages == [
        "Your subject can't contain line breaks, tabs or other control characters."
    ]


def test_messages_keep_line_breaks_and_tabs_but_refuse_other_controls():
    check_multiline("Hi,\r\n\tsee you\nsoon", label="Your message")
    with pytest.raises(ValidationError) as info:
        check_multiline("Hi\x07", label="Your message")
    assert info.value.messages == ["Your message can't contain control characters."]


NAMES_REFUSED = {
    "zero-width space": "Alex\u200b Admin",
    "right-to-left override": "Alex\u202enimdA",
    "left-to-right embedding": "\u202aAlex",
    "pop directional formatting": "Alex\u202c",
    "first strong isolate": "\u2068Alex\u2069",
    "right-to-left isolate": "\u2067Alex",
    "word joiner": "Al\u2060ex",
    "zero-width joiner": "Al\u200dex",
    "byte order mark": "\ufeffAlex",
    "hangul filler": "Alex\u3164Admin",
}


@pytest.mark.parametrize("value", NAMES_REFUSED.values(), ids=NAMES_REFUSED)
def test_names_refuse_invisible_and_text_direction_characters(value):
    with pytest.raises(ValidationError) as info:
        check_name(value, label="Your first name")
    assert info.value.messages == [
        "Your first name can't contain invisible characters or text-direction controls."
    ]


def test_names_refuse_line_breaks():
    with pytest.raises(ValidationError) as info:
        check_name("Ada\r\nLovelace", label="Your first name")
    assert info.value.messages == [
        "Your first name can't contain line breaks, tabs or other control characters."
    ]


@pytest.mark.parametrize("value", ["Ada", "Zoë", "José María", "O'Brien-Smith", "李", "محمد"])
def test_ordinary_names_pass(value):
    check_name(value, label="Your first name")
