"""Links that hand a station to navigation apps, each saying which coordinates it sends."""

from urllib.parse import quote, urlencode

from django.utils.translation import gettext_lazy as _


def navigation_links(station) -> list[dict]:
    """Return [{"app", "label", "url"}] for AMap, Baidu Maps, Tencent Maps and geo:.

    Every link sends the stored WGS-84 point and names its system, so each app converts
    it to its own (GCJ-02, BD-09) instead of drawing it a few hundred metres off.
    """
    lat, lng = f"{station.latitude:.6f}", f"{station.longitude:.6f}"
    name = station.name
    return [
        {
            "app": "amap",
            "label": _("AMap (Gaode)"),
            "url": "https://uri.amap.com/marker?"
            + urlencode(
                {
                    "position": f"{lng},{lat}",
                    "name": name,
                    "coordinate": "wgs84",
                    "callnative": "1",
                    "src": "driverhome",
                }
            ),
        },
        {
            "app": "baidu",
            "label": _("Baidu Maps"),
            "url": "https://api.map.baidu.com/marker?"
            + urlencode(
                {
                    "location": f"{lat},{lng}",
                    "title": name,
                    "content": station.address or name,
                    "output": "html",
                    "coord_type": "wgs84",
                    "src": "webapp.driverhome",
                }
            ),
        },
        {
            "app": "tencent",
            "label": _("Tencent Maps"),
            "url": "https://apis.map.qq.com/uri/v1/marker?"
            + urlencode(
                {
                    "marker": f"coord:{lat},{lng};title:{name};addr:{station.address or name}",
                    # coord_type=1: GPS (WGS-84) coordinates.
                    "coord_type": "1",
                    "referer": "driverhome",
                }
            ),
        },
        {
            "app": "geo",
            "label": _("Other navigation app"),
            "url": f"geo:{lat},{lng}?q={lat},{lng}({quote(name)})",
        },
    ]
