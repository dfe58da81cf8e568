"""Demo route lines with stations along them, for the "along the road" tests."""

import random

from stations import demo
from stations.models import RouteLine
from stations.road.services import route_positions_rebuild_all

ENDS = {
    "G228": (("钦州", "Qinzhou", "Khâm Châu"), ("东兴", "Dongxing", "Đông Hưng")),
    "G219": (("上思", "Shangsi", "Thượng Tư"), ("东兴", "Dongxing", "Đông Hưng")),
}
LINES = {"G228": demo.G228, "G219": demo.G219}


def make_line(code, coordinates):
    names = {
        f"{end}_name_{language}": name
        for end, trio in zip(("start", "end"), ENDS.get(code, ENDS["G228"]), strict=True)
        for language, name in zip(("zh_hans", "en", "vi"), trio, strict=True)
    }
    return RouteLine.objects.create(
        code=code,
        geometry={"type": "LineString", "coordinates": [list(p) for p in coordinates]},
        **names,
    )


def along_the_lines(make_station, *, per_line=24, seed=14, off_route=6):
    """Both demo lines, ``per_line`` stations beside each (≤ 600 m off), a few far off."""
    rng = random.Random(seed)
    for code, line in LINES.items():
        make_line(code, line)
        for index in range(per_line):
            lng, lat = demo._along(line, rng.random())
            make_station(
                f"{code}路边站{index:02d}",
                latitude=lat + rng.uniform(-0.004, 0.004),
                longitude=lng + rng.uniform(-0.004, 0.004),
            )
    # The port and beyond: more than 2 km from either line.
    for index in range(off_route):
        make_station(f"港区站{index}", latitude=21.50 - index * 0.01, longitude=108.40)
    route_positions_rebuild_all()
