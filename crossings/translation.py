"""The crossing texts drivers read, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Crossing, CrossingNotice


@register(Crossing)
class CrossingTranslation(TranslationOptions):
    fields = ("name", "goods", "hours_note", "documents")
    required_languages = ("zh-hans",)


@register(CrossingNotice)
class CrossingNoticeTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("zh-hans",)
