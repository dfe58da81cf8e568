"""``{% load i18n_content %}``: translated content fields with a marked Chinese fallback."""

from django import template

from portal.lib import translated as _translated

register = template.Library()


@register.filter
def translated(obj, field: str):
    """``{{ station|translated:"location_note" }}``: the text in the page's language."""
    return _translated.render(obj, field)


@register.filter
def place_name(obj, field: str = "name"):
    """``{{ station|place_name }}``: as ``translated``, with the stored pinyin on a fallback."""
    return _translated.render(obj, field, getattr(obj, f"{field}_pinyin", "") or "")


@register.filter
def plain(obj, field: str):
    """The text alone (for attributes and titles): the page's language, else Chinese."""
    return _translated.text_for(obj, field)[0]


@register.filter
def plain_name(obj, field: str = "name"):
    """A place name as plain text (titles, attributes): the page's language, else its pinyin
    (a title cannot mark a Chinese part), else the Chinese."""
    text, fallback = _translated.text_for(obj, field)
    if fallback:
        return getattr(obj, f"{field}_pinyin", "") or text
    return text


@register.filter
def is_fallback(obj, field: str) -> bool:
    """``{% if event|is_fallback:"report" %}``: the page's language has no text, Chinese shown."""
    text, fallback = _translated.text_for(obj, field)
    return fallback and bool(text)
