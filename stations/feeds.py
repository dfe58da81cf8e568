"""The public GeoJSON feed of published stations (RFC 7946)."""

import hashlib
import json

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from . import geo
from .parking import feed_parking


def vanguard_properties(station) -> dict | None:
    """The party-member vanguard post: its duty hours and duty phone (the post's number)."""
    if not station.vanguard_post:
        return None
    return {"hours": station.vanguard_hours, "phone": station.vanguard_tel}


def _coordinate(value: float) -> float:
    # RFC 7946 advises against needless precision: 7 decimals is about a centimetre.
    return round(value, 7)


def feature_collection(stations, *, tile_crs: str = "wgs84", extra=None) -> str:
    """Return the FeatureCollection of ``stations`` (amenities and hours prefetched).

    Positions are [longitude, latitude] in WGS-84 as RFC 7946 requires. When the map's
    tiles are GCJ-02, each feature also carries ``display``: where to draw it on them.
    Station page URLs are the Chinese (unprefixed) ones. ``extra`` maps a station's id to
    more properties, from other apps (see ``stations.extensions``).
    """
    extra = extra or {}
    now = timezone.now()
    features = []
    with override("zh-hans"):
        for station in stations:
            amenity_rows = list(station.amenities.all())
            properties = {
                "name": station.name,
                "slug": station.slug,
                "kind": station.kind,
                "route": station.route,
                "district": station.district,
                "status": station.status,
                "open_now": station.is_open_at(now),
                "open_24h": station.open_24h,
                "amenities": [row.amenity.code for row in amenity_rows],
                "out_of_order": [
                    row.amenity.code for row in amenity_rows if row.live_status == "out_of_order"
                ],
                "phone": station.tel,
                "url": reverse("stations:detail", kwargs={"slug": station.slug}),
            }
            properties.update(feed_parking(station, now))
            properties["vanguard"] = vanguard_properties(station)
            properties.update(extra.get(station.pk, {}))
            if tile_crs == "gcj02":
                dlat, dlng = geo.wgs84_to_gcj02(station.latitude, station.longitude)
                properties["display"] = [_coordinate(dlng), _coordinate(dlat)]
            features.append(
                {
                    "type": "Feature",
                    "id": station.slug,
                    "geometry": {
                        "type": "Point",
                        "coordinates": [
                            _coordinate(station.longitude),
                            _coordinate(station.latitude),
                        ],
                    },
                    "properties": properties,
                }
            )
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def etag_for(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
