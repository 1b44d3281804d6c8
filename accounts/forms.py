from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from accounts.models import HEADLINE_MAX_LENGTH, NOTE_MAX_LENGTH, Member


class SignupForm(forms.Form):
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


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["first_name", "last_name", "headline", "location", "about"]
        widgets = {"about": forms.Textarea(attrs={"rows": 6})}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["accept_inmail"]


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
