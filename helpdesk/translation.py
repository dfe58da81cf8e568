"""The wish texts shown in public, in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Wish


@register(Wish)
class WishTranslation(TranslationOptions):
    fields = ("thank_you",)
