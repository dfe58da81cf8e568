"""Show a translated content field, or the Chinese text marked as Chinese: never a blank.

Models register their translated fields with django-modeltranslation (``<app>/translation.py``),
which stores ``<field>_zh_hans``, ``<field>_en`` and ``<field>_vi``. Where the page's language
has no text the Chinese one is shown inside ``lang="zh-Hans"`` (screen readers and fonts get it
right, and tests can count fallbacks), followed for place names by their stored pinyin.
"""

import re

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

DEFAULT = "zh-hans"


CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_chinese(text: str) -> bool:
    """Whether ``text`` has Chinese characters (a driver's own words may be in any language)."""
    return bool(CHINESE.search(text or ""))


def column(field: str, language: str) -> str:
    return f"{field}_{language.replace('-', '_')}"


def text_for(obj, field: str, language: str | None = None) -> tuple[str, bool]:
    """Return ``(text, is_fallback)`` of ``field`` in ``language`` (the active one by default)."""
    language = (language or get_language() or DEFAULT).lower()
    if language not in ("en", "vi"):
        language = DEFAULT
    own = getattr(obj, column(field, language), None) or ""
    if own or language == DEFAULT:
        return own, False
    return getattr(obj, column(field, DEFAULT), None) or "", True


def render(obj, field: str, pinyin: str = "") -> SafeString:
    """HTML of ``field`` in the active language, the Chinese fallback marked (with pinyin)."""
    text, fallback = text_for(obj, field)
    if not fallback or not text:
        return format_html("{}", text)
    if pinyin:
        return format_html(
            '<span lang="zh-Hans">{}</span> <span class="pinyin" lang="zh-Latn-pinyin">{}</span>',
            text,
            pinyin,
        )
    return format_html('<span lang="zh-Hans">{}</span>', text)


class FallbackLabel(str):
    """A choice label in Chinese on a page of another language (the widget marks its lang)."""

    lang = "zh-Hans"
    chinese = ""
    pinyin = ""
    suffix = ""

    def with_suffix(self, suffix: str) -> "FallbackLabel":
        """The same label with ``suffix`` (a distance) after it, outside the Chinese part."""
        label = FallbackLabel(f"{self}{suffix}")
        label.chinese, label.pinyin, label.suffix = self.chinese, self.pinyin, self.suffix + suffix
        return label

    def html(self) -> SafeString:
        """The label as HTML: the Chinese marked, its pinyin beside it, then any suffix."""
        if not self.chinese:
            return format_html('<span lang="zh-Hans">{}</span>', str(self))
        if not self.pinyin:
            return format_html('<span lang="zh-Hans">{}</span>{}', self.chinese, self.suffix)
        return format_html(
            '<span lang="zh-Hans">{}</span> <span class="pinyin" lang="zh-Latn-pinyin">{}</span>{}',
            self.chinese,
            self.pinyin,
            self.suffix,
        )


def choice_label(obj, field: str = "name", pinyin_field: str = "name_pinyin") -> str:
    """A plain-text label in the active language; a fallback carries its pinyin after it."""
    text, fallback = text_for(obj, field)
    if not fallback:
        return text
    pinyin = getattr(obj, pinyin_field, "") or ""
    label = FallbackLabel(f"{text} ({pinyin})" if pinyin else text)
    label.chinese, label.pinyin = text, pinyin
    return label


class _MarksFallback:
    """Options whose label is a Chinese fallback say ``lang="zh-Hans"``."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(  # type: ignore[misc]
            name, value, label, selected, index, subindex, attrs
        )
        if isinstance(label, FallbackLabel):
            option["attrs"] = {**option["attrs"], "lang": label.lang}
        return option


class TranslatedRadioSelect(_MarksFallback, forms.RadioSelect):
    """Radio buttons whose Chinese-fallback labels say ``lang="zh-Hans"``: a radio's label is
    text beside the input, so the Chinese is wrapped in its own marked element (pinyin after)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if isinstance(label, FallbackLabel):
            option["label"] = label.html()
        return option


class TranslatedFieldsFormMixin:
    """A ModelForm whose ``<field>`` input is the Chinese text, with optional ``<field>_en`` and
    ``<field>_vi`` inputs beside it, whatever the language of the staff page.

    django-modeltranslation would write ``<field>`` into the active language's column: on an
    English staff page the Chinese text would land in ``<field>_en``. This puts each input in
    its own column. List the translated names in ``translated_fields``.
    """

    translated_fields: tuple[str, ...] = ()

    def _post_clean(self):
        super()._post_clean()  # type: ignore[misc]
        cleaned = self.cleaned_data  # type: ignore[attr-defined]
        instance = self.instance  # type: ignore[attr-defined]
        for name in self.translated_fields:
            if name in cleaned:
                setattr(instance, column(name, DEFAULT), cleaned[name])
            for language in ("en", "vi"):
                col = column(name, language)
                if col in cleaned:
                    setattr(instance, col, cleaned[col] or "")


def set_chinese(obj, field: str, value: str) -> list[str]:
    """Store ``value`` as the Chinese text of ``field`` whatever the active language; the other
    languages' texts, now out of date, are emptied (pages fall back to the marked Chinese).

    Returns the columns to name in ``save(update_fields=…)``. A staff page in English or
    Vietnamese (the station console) would otherwise write only its own language's column.
    """
    setattr(obj, field, value)
    names = [field]
    for language in ("zh-hans", "en", "vi"):
        col = column(field, language)
        setattr(obj, col, value if language == DEFAULT else "")
        names.append(col)
    return names


def set_texts(obj, field: str, chinese: str, english: str = "", vietnamese: str = "") -> list[str]:
    """Store each language's text of ``field`` in its own column, whatever the active
    language (the station console's form: the Chinese text required, the others optional).

    Returns the columns to name in ``save(update_fields=…)``.
    """
    names = set_chinese(obj, field, chinese)
    setattr(obj, column(field, "en"), english)
    setattr(obj, column(field, "vi"), vietnamese)
    return names


def chinese_only(field: str, value: str) -> dict[str, str]:
    """``QuerySet.update(**chinese_only("status_note", text))``: the same, for an update."""
    return {
        column(f"{field}", language): value if language == DEFAULT else ""
        for language in (
            "zh-hans",
            "en",
            "vi",
        )
    }
