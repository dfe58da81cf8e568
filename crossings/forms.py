from django import forms
from django.utils.translation import gettext_lazy as _


class NoticeForm(forms.Form):
    """A status notice in every language at once: Chinese required, the others optional."""

    text_zh_hans = forms.CharField(
        label=_("Notice (Chinese)"),
        max_length=300,
        help_text=_("For example: freight queue about 6 hours at 14:00."),
        widget=forms.Textarea(attrs={"rows": 2, "lang": "zh-Hans"}),
    )
    text_en = forms.CharField(
        label=_("Notice (English)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "en"}),
    )
    text_vi = forms.CharField(
        label=_("Notice (Vietnamese)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "vi"}),
    )
