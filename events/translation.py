"""The event texts drivers read, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "description", "status_note", "report")
    required_languages = {"zh-hans": ("title",)}
