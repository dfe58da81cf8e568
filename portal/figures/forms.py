"""The monthly report's choice: a month and one of the viewer's organisations."""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH = re.compile(r"\A([0-9]{4})-([0-9]{2})\Z")


class ReportForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("Year and month, such as 2026-03."),
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_month(self) -> date:
        match = MONTH.match(self.cleaned_data["month"].strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise forms.ValidationError(_("Give the month as year-month, such as 2026-03."))
        month = date(int(match.group(1)), int(match.group(2)), 1)
        if month > timezone.localdate():
            raise forms.ValidationError(_("Choose this month or an earlier one."))
        return month
