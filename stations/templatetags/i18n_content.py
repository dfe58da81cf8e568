"""``{% load i18n_content %}``: translated content fields with a marked Chinese fallback."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from portal.lib import translated as _translated
from portal.lib.pinyin import romanise

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


@register.filter
def lang_if_chinese(text) -> str:
    """``<p{{ wish.text|lang_if_chinese }}>``: ``lang="zh-Hans"`` on text someone wrote in
    Chinese (a driver's wish, an organisation's name), nothing on text in another language."""
    return mark_safe(' lang="zh-Hans"') if _translated.has_chinese(str(text)) else ""


@register.filter
def plain_romanised(obj, field: str):
    """A title as plain text (``<title>``): the page's language, else the Chinese in pinyin
    (a title cannot mark a Chinese part)."""
    text, fallback = _translated.text_for(obj, field)
    return romanise(text) if fallback else text


@register.filter
def marked_if_chinese(text):
    """``{{ surname|marked_if_chinese }}``: the text, inside ``<span lang="zh-Hans">`` when it
    is Chinese (escaped either way)."""
    if _translated.has_chinese(str(text)):
        return format_html('<span lang="zh-Hans">{}</span>', text)
    return conditional_escape(text)
