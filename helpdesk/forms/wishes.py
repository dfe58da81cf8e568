"""The public micro-wish form."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.models.wishes import Road
from portal.lib.forms import BotCheckedForm
from portal.lib.phones import normalize_mobile


class WishForm(BotCheckedForm):
    token_salt = "helpdesk.wish"  # noqa: S105 (a salt, not a secret)

    text = forms.CharField(
        label=_("Your wish"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    surname = forms.CharField(
        label=_("Your surname (optional)"),
        max_length=4,
        required=False,
        help_text=_("Shown as “Driver Wang”; your full name is never shown."),
    )
    road = forms.ChoiceField(
        label=_("Your usual road (optional)"),
        choices=[("", "—"), *Road.choices],
        required=False,
    )
    phone = forms.CharField(
        label=_("Callback phone (optional)"),
        max_length=32,
        required=False,
        help_text=_("Only staff see it, to reach you about the wish."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        return normalize_mobile(phone) if phone else ""

    def clean_surname(self) -> str:
        text = unicodedata.normalize("NFKC", self.cleaned_data["surname"]).strip()
        if text and not all(ch.isalpha() for ch in text):
            raise forms.ValidationError(_("Letters only, please."))
        return text
