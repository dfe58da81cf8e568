"""Forms of the dispatcher queue and the help-request staff actions."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.permissions import help_takers, help_taking_organisations
from helpdesk.choices import Category, State
from helpdesk.models.requests import HelpRequest
from stations.models import Station


class QueueFilterForm(forms.Form):
    mine = forms.BooleanField(label=_("Only mine"), required=False)
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


class HelperChoiceField(forms.ModelChoiceField):
    """A person by full name and organisations: "王芳 · 港口区党支部"."""

    def label_from_instance(self, obj):
        organisations = "、".join(org.name for org in obj.organisations.all())
        return f"{obj.display_name} · {organisations}" if organisations else obj.display_name


class TransferForm(forms.Form):
    """Only the organisations and people who can take a help request are offered; the
    service refuses anyone else too (``help_request_transfer``)."""

    organisation = forms.ModelChoiceField(
        label=_("to organisation"), queryset=Organisation.objects.none(), required=False
    )
    helper = HelperChoiceField(
        label=_("or to a named helper"), queryset=get_user_model().objects.none(), required=False
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = help_taking_organisations()
        self.fields["helper"].queryset = help_takers()

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("helper")):
            raise forms.ValidationError(_("Choose either an organisation or a helper."))
        return data


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
        from helpdesk.services.requests import code_normalize

        code = code_normalize(self.cleaned_data["original"])
        original = HelpRequest.objects.visible_to(self.user).filter(code=code).first()
        if not code or original is None:
            raise forms.ValidationError(_("No request with that code."))
        return original
