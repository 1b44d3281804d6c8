from django import forms


class OpenProfileForm(forms.Form):
    open_profile = forms.BooleanField(
        label="Open Profile",
        required=False,
        help_text="Any member may message you for free, without an InMail credit.",
    )
