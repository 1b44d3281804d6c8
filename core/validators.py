"""Checks on the text members write, shared by the forms and the services that validate.

Each `check_*` raises django's ValidationError with a message that names the field, so a form
shows it under the field and a service can raise it as core.errors.Invalid as it is.
"""

import unicodedata

from django.core.exceptions import ValidationError

# Right-to-left/left-to-right embeddings, overrides and isolates: they reorder the text shown
# after them ("Alex\u202enimdA" reads "AlexAdmin"), which a name must not be able to do.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e")
# Letters (category Lo/So) that every font draws as blank space.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories with nothing to see: controls, format characters (zero-width, bidi, tags),
# separators (spaces), combining marks alone, unassigned code points.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Cn"})
MULTILINE_CONTROLS = frozenset("\n\r\t")


def _is_visible(char: str) -> bool:
    return char not in BLANK_LETTERS and unicodedata.category(char) not in INVISIBLE_CATEGORIES


def has_visible_text(value: str) -> bool:
    return any(_is_visible(char) for char in value)


def check_single_line(value: str, *, label: str) -> None:
    """No control characters at all: line breaks in a name or a subject would break the
    emails that carry them (a header can't hold CR/LF) and the one-line places they show."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(
            f"{label} can't contain line breaks, tabs or other control characters.",
            code="control_characters",
        )


def check_multiline(value: str, *, label: str) -> None:
    """Line breaks and tabs are fine in a message; other control characters are not."""
    if any(unicodedata.category(c) == "Cc" and c not in MULTILINE_CONTROLS for c in value):
        raise ValidationError(
            f"{label} can't contain control characters.", code="control_characters"
        )


def check_visible(value: str, *, label: str) -> None:
    """Something to see: not only spaces, zero-width, format or other invisible characters."""
    if value and not has_visible_text(value):
        raise ValidationError(
            f"{label} has nothing visible in it: write some text.", code="invisible"
        )


def check_name(value: str, *, label: str) -> None:
    """A member's name: one line, visible, and no invisible or text-direction characters
    that would let it pass for someone else's ("Alex\u200b Admin")."""
    check_single_line(value, label=label)
    if any(
        char in BIDI_CONTROLS
        or char in ZERO_WIDTH
        or char in BLANK_LETTERS
        or unicodedata.category(char) == "Cf"  # the rest of the kind: tags, soft hyphen
        for char in value
    ):
        raise ValidationError(
            f"{label} can't contain invisible characters or text-direction controls.",
            code="invisible_characters",
        )
    check_visible(value, label=label)


# What members write about themselves, checked the same way on sign-up and on their profile, by
# the forms and by accounts' services.
MEMBER_TEXT = {
    "first_name": (check_name, "Your first name"),
    "last_name": (check_name, "Your last name"),
    "headline": (check_single_line, "Your headline"),
    "location": (check_single_line, "Your location"),
    "about": (check_multiline, "Your about section"),
}


def check_member_text(**fields: str) -> None:
    """MEMBER_TEXT's checks on the given fields; the first refusal is raised."""
    for name, value in fields.items():
        check, label = MEMBER_TEXT[name]
        check(value, label=label)


class Validator:
    """One of the checks above as a form field's validator: `Validator(check_name, "Your
    first name")`."""

    def __init__(self, check, label: str):
        self.check = check
        self.label = label

    def __call__(self, value):
        self.check(value, label=self.label)
