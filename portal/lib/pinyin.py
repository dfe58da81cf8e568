"""Hanyu Pinyin for place names, so a driver who reads no Chinese can match a road sign.

Generated with pypinyin (tone marks, syllables of one word run together, words split where the
Chinese has a space or punctuation); stored beside the name and editable by staff.
"""

from pypinyin import Style, lazy_pinyin


def romanise(text: str) -> str:
    """Return ``text`` in Hanyu Pinyin with tone marks, one syllable per Chinese character.

    Latin letters, digits and punctuation are kept:
    "G228 东兴服务站" -> "G228 dōng xīng fú wù zhàn".
    Staff may edit the stored result into proper words ("Dōngxīng Fúwùzhàn").
    """
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.TONE, errors="default")
    out = " ".join(part.strip() for part in parts if part.strip())
    return out[:1].upper() + out[1:]


def fill_name_pinyin(instance, save_kwargs: dict) -> dict:
    """Before a place is saved: fill an empty ``name_pinyin`` from its Chinese name.

    Returns the save arguments, with ``name_pinyin`` added to ``update_fields`` when the save
    names its fields (so a ``save(update_fields=["name"])`` stores the pinyin too).
    """
    if not instance.name_pinyin and instance.name_zh_hans:
        instance.name_pinyin = romanise(instance.name_zh_hans)[:300]
        update_fields = save_kwargs.get("update_fields")
        if update_fields is not None and "name_pinyin" not in update_fields:
            save_kwargs = {**save_kwargs, "update_fields": [*update_fields, "name_pinyin"]}
    return save_kwargs
