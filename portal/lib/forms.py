"""The base of every public form: a signed per-render token, a honeypot, a minimum fill time."""

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

TOKEN_MAX_AGE = 24 * 3600


class BotCheckedForm(forms.Form):
    """A public form with a signed per-render token, a honeypot and a minimum fill time.

    The token's nonce identifies this rendering of the form: the same POST sent twice
    carries the same nonce, which the unique constraint turns into one stored row.
    """

    token_salt = "portal.form"  # noqa: S105 (a salt, not a secret)
    token = forms.CharField(widget=forms.HiddenInput)
    # Humans never see this field; bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = self.new_token()

    @classmethod
    def new_token(cls) -> str:
        """Sign a fresh nonce and the time of rendering for the hidden token field."""
        return signing.dumps(
            {"n": secrets.token_hex(16), "t": int(time.time())}, salt=cls.token_salt
        )

    def clean_token(self) -> str:
        """Return the nonce of a valid, unexpired token sent no sooner than the minimum time."""
        try:
            data = signing.loads(
                self.cleaned_data["token"], salt=self.token_salt, max_age=TOKEN_MAX_AGE
            )
        except (signing.BadSignature, TypeError, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("n"), str):
            # Replace the stale token so the next send works.
            self.data = self.data.copy()
            self.data["token"] = self.new_token()
            raise forms.ValidationError(
                _("This form has expired. Check your entries and send it again.")
            )
        if time.time() - float(data.get("t", 0)) < settings.HELP_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("That was very fast. Check your entries, then send the form again.")
            )
        return data["n"]

    def clean_website(self) -> str:
        """Refuse a filled-in honeypot."""
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""
