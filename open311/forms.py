"""The partner's request, checked by the web form's own rules (without its bot checks).

A partner's server has no rendered form to carry a token or a honeypot; it proves itself
with its API key instead. Everything else (category, description, the callback phone, the
station or the location) is validated by ``HelpRequestForm`` itself.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.forms.requests import HelpRequestForm

# Open311 parameter → web form field.
FIELD_NAMES = {
    "service_code": "category",
    "description": "description",
    "phone": "phone",
    "lat": "latitude",
    "long": "longitude",
    "address_string": "location_text",
    "attribute[station]": "station",
    "attribute[urgent]": "urgent",
}
TRUE_VALUES = {"true", "1", "yes"}


class PartnerRequestForm(HelpRequestForm):
    token = None
    website = None
    client_request_id = forms.CharField(required=False, max_length=100)

    @classmethod
    def from_open311(cls, data, *, client_id: str = "") -> "PartnerRequestForm":
        """Build the bound form from Open311 POST parameters."""
        values = {field: data.get(param, "") for param, field in FIELD_NAMES.items()}
        values["urgent"] = str(values["urgent"]).strip().lower() in TRUE_VALUES
        first, last = str(data.get("first_name", "")), str(data.get("last_name", ""))
        values["name"] = f"{last}{first}" if _is_cjk(last + first) else f"{first} {last}".strip()
        values["client_request_id"] = client_id
        return cls(values)

    def first_error(self) -> str:
        """Return one error as "parameter: message", in Open311 parameter names."""
        reverse = {field: param for param, field in FIELD_NAMES.items()}
        reverse["name"] = "first_name"
        for field, errors in self.errors.items():
            if field == "__all__":
                return str(errors[0])
            return f"{reverse.get(field, field)}: {errors[0]}"
        return str(_("The request could not be read."))


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
