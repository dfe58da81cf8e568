"""The staff notice preference form."""

from django import forms

from notices.models import NoticePreference


class NoticePreferenceForm(forms.ModelForm):
    class Meta:
        model = NoticePreference
        fields = ["channel", "language"]
        widgets = {"channel": forms.RadioSelect}
