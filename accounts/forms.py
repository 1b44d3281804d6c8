from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from accounts.models import HEADLINE_MAX_LENGTH, NOTE_MAX_LENGTH, Member
from core.validators import MEMBER_TEXT, Validator


class ProfileTextMixin:
    """core.validators' checks of a member's name, headline, location and about."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (check, label) in MEMBER_TEXT.items():
            if name in self.fields:
                self.fields[name].validators.append(Validator(check, label))


class SignupForm(ProfileTextMixin, forms.Form):
    first_name = forms.CharField(max_length=60)
    last_name = forms.CharField(max_length=60)
    email = forms.EmailField(max_length=254)
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not too common, not only numbers.",
    )
    headline = forms.CharField(
        max_length=HEADLINE_MAX_LENGTH,
        required=False,
        help_text="For example: Product designer at Acme · Open to new roles",
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Member.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Sign in instead."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            # The similarity check needs the would-be member's name and email.
            candidate = Member(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email and password don't match an account. Check both and try again."
        ),
    }


class ProfileForm(ProfileTextMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["first_name", "last_name", "headline", "location", "about"]
        widgets = {"about": forms.Textarea(attrs={"rows": 6})}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["accept_inmail", "read_receipts"]


class InvitationForm(forms.Form):
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
        error_messages={
            "max_length": "Your note can be at most %(limit_value)d characters; "
            "it has %(show_value)d."
        },
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, doing the same work whether or not the address has an account.

    Django's own form makes a token, renders and sends an email only for an account, so the
    time it takes told who has one. Here an address without an account gets an email too,
    saying so (made through the same token, templates and mail backend), and the page says
    the same in both cases.
    """

    NO_ACCOUNT_SUBJECT = "registration/password_reset_no_account_subject.txt"
    NO_ACCOUNT_EMAIL = "registration/password_reset_no_account_email.html"

    def get_users(self, email):
        members = list(super().get_users(email))
        # An unsaved stand-in: the token and the email are made for it as for a member.
        return members or [Member(email=email)]

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        if context["user"].pk is None:
            subject_template_name, email_template_name = (
                self.NO_ACCOUNT_SUBJECT,
                self.NO_ACCOUNT_EMAIL,
            )
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
