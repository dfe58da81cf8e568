"""The station texts drivers read, in every language (django-modeltranslation).

Each field gets a column per language (``name_zh_hans``, ``name_en``, ``name_vi``); reading
``station.name`` gives the active language's text and falls back to Chinese. Templates mark
such a fallback with ``lang="zh-Hans"`` through the ``translated`` filter (docs/translation.md).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Station, StationAmenity


@register(Station)
class StationTranslation(TranslationOptions):
    fields = (
        "name",
        "location_note",
        "address",
        "closure_reason",
        "host_organisation",
        "vanguard_hours",
    )
    required_languages = ("zh-hans",)


@register(StationAmenity)
class StationAmenityTranslation(TranslationOptions):
    fields = ("price_note", "status_note")
