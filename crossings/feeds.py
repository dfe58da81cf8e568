"""The crossings as GeoJSON, names and notices in the language asked for, same ids in all."""

import json
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from portal.lib import translated


def crossing_feature(crossing, *, now, language: str) -> dict[str, Any]:
    name, fallback = translated.text_for(crossing, "name", language)
    properties: dict[str, Any] = {
        "kind": "crossing",
        "name": name,
        "slug": crossing.slug,
        "people": crossing.handles_people,
        "freight": crossing.handles_freight,
        "url": reverse("crossings:detail", kwargs={"slug": crossing.slug}),
    }
    if fallback:
        properties["name_lang"] = "zh-Hans"
        properties["name_pinyin"] = crossing.name_pinyin
    notice = crossing.latest_notice
    if notice is not None:
        text, notice_fallback = translated.text_for(notice, "text", language)
        properties["notice"] = {
            "text": text,
            "lang": "zh-Hans" if notice_fallback else language,
            "posted_at": notice.posted_at.isoformat(),
            "stale": notice.is_stale(now),
        }
    return {
        "type": "Feature",
        "id": f"crossing/{crossing.slug}",
        "geometry": {"type": "Point", "coordinates": [crossing.longitude, crossing.latitude]},
        "properties": properties,
    }


def feature_collection(crossings, *, language: str) -> str:
    now = timezone.now()
    # Detail URLs are the unprefixed ones, as in the stations' feed.
    with override("zh-hans"):
        features = [crossing_feature(c, now=now, language=language) for c in crossings]
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
