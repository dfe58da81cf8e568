"""Forms of the public help pages, the micro-wish box and the staff actions."""

import math
import re
import secrets
import time
import unicodedata
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from portal.phones import normalize_mobile
from stations.models import Station

from .models.help import Category, HelpRequest, State
from .models.wishes import Road

TOKEN_MAX_AGE = 24 * 3600
SLUG = re.compile(r"\A[-a-zA-Z0-9_]{1,200}\Z")


def valid_slug(value) -> str:
    """Return ``value`` if it can be a station slug (no NUL or odd characters), else ''."""
    value = str(value or "")
    return value if SLUG.match(value) else ""


class BotCheckedForm(forms.Form):
    """A public form with a signed per-render token, a honeypot and a minimum fill time.

    The token's nonce identifies this rendering of the form: the same POST sent twice
    carries the same nonce, which the unique constraint turns into one stored row.
    """

    token_salt = "care.form"  # noqa: S105 (a salt, not a secret)
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
        return signing.dumps(
            {"n": secrets.token_hex(16), "t": int(time.time())}, salt=cls.token_salt
        )

    def clean_token(self) -> str:
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
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""


def _clean_phone(value: str, *, required: bool) -> str:
    if not value and not required:
        return ""
    return normalize_mobile(value)


def _coordinate(raw: str, low: float, high: float) -> Decimal | None:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise forms.ValidationError(_("The location could not be read.")) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise forms.ValidationError(_("The location could not be read."))
    # Rounded to 3 decimals (about 100 m), as on the nearby page: enough to find a truck.
    return Decimal(f"{number:.3f}")


class HelpRequestForm(BotCheckedForm):
    token_salt = "care.help"  # noqa: S105 (a salt, not a secret)

    category = forms.ChoiceField(
        label=_("What do you need?"), choices=Category.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    phone = forms.CharField(
        label=_("Callback phone"),
        max_length=32,
        help_text=_("Mainland mobile or a Vietnamese number starting with +84."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    station = forms.ModelChoiceField(
        label=_("At a station"),
        queryset=Station.objects.published(),
        to_field_name="slug",
        required=False,
        empty_label=_("Not at a station"),
    )
    latitude = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    location_text = forms.CharField(
        label=_("Or describe the place"),
        max_length=200,
        required=False,
        help_text=_("Road, kilometre post, landmark…"),
    )
    urgent = forms.BooleanField(label=_("Urgent: I need help now"), required=False)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"], required=True)

    def clean_latitude(self):
        return _coordinate(self.cleaned_data.get("latitude"), -90, 90)

    def clean_longitude(self):
        return _coordinate(self.cleaned_data.get("longitude"), -180, 180)

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            data["latitude"] = data["longitude"] = None
            lat = lon = None
        has_error = any(f in self.errors for f in ("latitude", "longitude", "station"))
        if (
            not has_error
            and not data.get("station")
            and lat is None
            and not (data.get("location_text") or "").strip()
        ):
            raise forms.ValidationError(
                _(
                    "Tell us where you are: pick a station, share your location "
                    "or describe the place."
                )
            )
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)
    last4 = forms.CharField(
        label=_("Last 4 digits of your callback phone"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_last4(self) -> str:
        text = unicodedata.normalize("NFKC", self.cleaned_data["last4"]).strip()
        if not re.fullmatch(r"[0-9]{4}", text):
            raise forms.ValidationError(_("Enter 4 digits."))
        return text


class WishForm(BotCheckedForm):
    token_salt = "care.wish"  # noqa: S105 (a salt, not a secret)

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
        return _clean_phone(self.cleaned_data["phone"], required=False)

    def clean_surname(self) -> str:
        text = unicodedata.normalize("NFKC", self.cleaned_data["surname"]).strip()
        if text and not all(ch.isalpha() for ch in text):
            raise forms.ValidationError(_("Letters only, please."))
        return text


# --- Staff ------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("category"), choices=[("", _("All")), *Category.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("state"),
        choices=[("", _("All open")), ("all", _("All")), *State.choices],
        required=False,
    )
    station = forms.ModelChoiceField(
        label=_("station"), queryset=Station.objects.all(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("organisation"), queryset=Organisation.objects.all(), required=False
    )


class TransferForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("to organisation"), queryset=Organisation.objects.all(), required=False
    )
    helper = forms.ModelChoiceField(
        label=_("or to a named helper"),
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True),
        required=False,
    )
    note = forms.CharField(label=_("note"), max_length=2000, required=False)


class TextForm(forms.Form):
    text = forms.CharField(label=_("text"), max_length=2000, required=False)


class FollowUpForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Was the driver satisfied?"),
        choices=[("yes", _("Satisfied")), ("no", _("Not satisfied: reopen"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("note"), max_length=2000, required=False)


class DuplicateForm(forms.Form):
    original = forms.CharField(label=_("tracking code of the original"), max_length=20)
    text = forms.CharField(label=_("reason"), max_length=2000, required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_original(self) -> HelpRequest:
        from .services_help import code_normalize

        code = code_normalize(self.cleaned_data["original"])
        original = HelpRequest.objects.visible_to(self.user).filter(code=code).first()
        if not code or original is None:
            raise forms.ValidationError(_("No request with that code."))
        return original
