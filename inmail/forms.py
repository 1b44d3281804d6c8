from django import forms

from core.validators import Validator, check_multiline, check_single_line
from inmail.models import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, Participant
from inmail.services import SPAM_REASON_MISSING

STALE_FORM = "This form is out of date. Reload the page and write your message again."


class MessageForm(forms.Form):
    """The compose window's and a thread's form.

    Lengths, the subject's presence and visible text are checked by the service, whose
    messages say by how much; the `maxlength` attributes only help the browser.
    """

    subject = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"maxlength": SUBJECT_MAX_LENGTH, "autocomplete": "off"}),
        validators=[Validator(check_single_line, "Your subject")],
    )
    body = forms.CharField(
        required=False,
        label="Message",
        widget=forms.Textarea(attrs={"maxlength": BODY_MAX_LENGTH, "rows": 6}),
        validators=[Validator(check_multiline, "Your message")],
    )
    # One per rendered form: sending the same form twice sends once.
    token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": STALE_FORM, "invalid": STALE_FORM}
    )

    @property
    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("interested", "Interested"), ("not_interested", "Not interested")],
        error_messages={"required": "Choose Interested or Not interested."},
    )


class SpamReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reporting this conversation?",
        choices=[c for c in Participant.SpamReason.choices if c[0]],
        widget=forms.RadioSelect,
        error_messages={"required": SPAM_REASON_MISSING, "invalid_choice": SPAM_REASON_MISSING},
    )


SEARCH_MAX_LENGTH = 100


class SearchForm(forms.Form):
    """A search box's term, from the query string: Messaging's search and the New message
    picker's. One line, at most SEARCH_MAX_LENGTH characters."""

    q = forms.CharField(
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        validators=[Validator(check_single_line, "Your search")],
        error_messages={
            "max_length": f"Your search can be at most {SEARCH_MAX_LENGTH} characters."
        },
    )

    @property
    def term(self) -> str:
        """The term to search for: empty when there is none or it was refused."""
        return self.cleaned_data["q"] if self.is_valid() else ""

    @property
    def error(self) -> str | None:
        return self.errors["q"][0] if not self.is_valid() else None
