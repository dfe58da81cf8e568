"""Illustrative demo stations along G228 and G219 around Fangchenggang.

Invented stations at rough, unsurveyed positions; every row is marked ``is_demo`` and its
slug starts with ``demo-``. Running this again changes nothing.
"""

import random
from datetime import date, time, timedelta

from accounts.demo import demo_account
from accounts.roles import STATION_MANAGERS

from .models import Amenity, OpeningHours, RouteLine, Station, StationAmenity
from .road.services import route_positions_rebuild_all

# (longitude, latitude): GeoJSON order. Rough lines, good enough to draw.
G228 = [
    (108.62, 21.74),
    (108.55, 21.68),
    (108.50, 21.60),
    (108.45, 21.62),
    (108.38, 21.62),
    (108.33, 21.63),
    (108.27, 21.62),
    (108.20, 21.60),
    (108.12, 21.58),
    (108.05, 21.56),
    (107.975, 21.548),
]
G219 = [
    (107.72, 22.38),
    (107.85, 22.26),
    (107.98, 22.15),
    (108.03, 22.00),
    (108.06, 21.86),
    (108.03, 21.73),
    (108.00, 21.63),
    (107.975, 21.548),
]

# Both highways end at the Dongxing crossing.
DONGXING = ("东兴", "Dongxing", "Đông Hưng")

PLACES_G228 = ["茅岭", "光坡", "企沙", "渔洲坪", "沙潭江", "港口", "公车", "江山", "江平", "竹山"]
PLACES_G219 = ["那琴", "在妙", "思阳", "华兰", "那梭", "扶隆", "大菉", "马路", "峒中"]
PORT_PLACES = ["一号码头", "二号码头", "三号码头", "渔澫", "西湾", "东湾", "云约江", "港口物流园"]

NAME_PATTERNS = {
    Station.Kind.DRIVER_HOME: "{place}司机之家",
    Station.Kind.PARTY_MASS_CENTRE: "{place}党群服务中心司机驿站",
    Station.Kind.TRADE_UNION: "{place}工会驿站",
    Station.Kind.WARM_NEW: "{place}暖“新”驿站",
    Station.Kind.GAS_STATION: "{place}加油站司机休息点",
    Station.Kind.CARGO_YARD: "{place}口岸货场司机服务点",
    Station.Kind.PORT_PARKING: "{place}停车场司机服务点",
}

BASE_AMENITIES = {
    Station.Kind.DRIVER_HOME: ["rest_area", "showers", "hot_water", "phone_charging", "dining"],
    Station.Kind.PARTY_MASS_CENTRE: ["rest_area", "reading", "party_reading_corner", "hot_water"],
    Station.Kind.TRADE_UNION: ["rest_area", "hot_water", "phone_charging", "first_aid"],
    Station.Kind.WARM_NEW: ["rest_area", "hot_water", "phone_charging", "wifi"],
    Station.Kind.GAS_STATION: ["free_parking", "vending_machine", "hot_water", "rest_area"],
    Station.Kind.CARGO_YARD: ["free_parking", "rest_area", "showers", "dining"],
    Station.Kind.PORT_PARKING: ["free_parking", "rest_area", "phone_charging"],
}
EXTRAS = ["lodging", "fitness", "wifi", "truck_repair", "first_aid", "emergency_rescue", "reading"]
# Demo translations (written for the demo): (English, Vietnamese) of each Chinese text.
PLACE_NAMES = {
    "茅岭": ("Maoling", "Mao Lĩnh"),
    "光坡": ("Guangpo", "Quang Pha"),
    "企沙": ("Qisha", "Xí Sa"),
    "渔洲坪": ("Yuzhouping", "Ngư Châu Bình"),
    "沙潭江": ("Shatanjiang", "Sa Đàm Giang"),
    "港口": ("Gangkou", "Cảng Khẩu"),
    "公车": ("Gongche", "Công Xa"),
    "江山": ("Jiangshan", "Giang Sơn"),
    "江平": ("Jiangping", "Giang Bình"),
    "竹山": ("Zhushan", "Trúc Sơn"),
    "那琴": ("Naqin", "Na Cầm"),
    "在妙": ("Zaimiao", "Tại Diệu"),
    "思阳": ("Siyang", "Tư Dương"),
    "华兰": ("Hualan", "Hoa Lan"),
    "那梭": ("Nasuo", "Na Thoa"),
    "扶隆": ("Fulong", "Phù Long"),
    "大菉": ("Dalu", "Đại Lục"),
    "马路": ("Malu", "Mã Lộ"),
    "峒中": ("Dongzhong", "Động Trung"),
    "一号码头": ("Berth 1", "Bến số 1"),
    "二号码头": ("Berth 2", "Bến số 2"),
    "三号码头": ("Berth 3", "Bến số 3"),
    "渔澫": ("Yuwan", "Ngư Vạn"),
    "西湾": ("West Bay", "Vịnh Tây"),
    "东湾": ("East Bay", "Vịnh Đông"),
    "云约江": ("Yunyue River", "Sông Vân Ước"),
    "港口物流园": ("Port Logistics Park", "Khu logistics cảng"),
}
NAME_PATTERNS_EN_VI = {
    Station.Kind.DRIVER_HOME: ("{place} Driver Home", "Nhà tài xế {place}"),
    Station.Kind.PARTY_MASS_CENTRE: (
        "{place} Community Centre Driver Rest Stop",
        "Trạm nghỉ tài xế Trung tâm phục vụ cộng đồng {place}",
    ),
    Station.Kind.TRADE_UNION: ("{place} Trade Union Rest Stop", "Trạm nghỉ Công đoàn {place}"),
    Station.Kind.WARM_NEW: ("{place} Warm Welcome Rest Stop", "Trạm nghỉ Ấm áp {place}"),
    Station.Kind.GAS_STATION: (
        "{place} Fuel Station Driver Rest Point",
        "Điểm nghỉ tài xế cây xăng {place}",
    ),
    Station.Kind.CARGO_YARD: (
        "{place} Border Cargo Yard Driver Point",
        "Điểm phục vụ tài xế bãi hàng cửa khẩu {place}",
    ),
    Station.Kind.PORT_PARKING: (
        "{place} Car Park Driver Point",
        "Điểm phục vụ tài xế bãi đỗ xe {place}",
    ),
}
# Left in Chinese only on purpose (name, location note, address), to show the fallback.
UNTRANSLATED = {"demo-005", "demo-023", "demo-047"}
CLOSURE_REASONS_EN_VI = {
    "内部装修，预计下月重新开放。": (
        "Being refurbished; expected to reopen next month.",
        "Đang sửa chữa bên trong, dự kiến mở lại vào tháng sau.",
    ),
    "台风过后检修供电，暂停服务。": (
        "Power being repaired after the typhoon; closed for now.",
        "Đang sửa điện sau bão, tạm ngừng phục vụ.",
    ),
    "场地改造，临时关闭。": ("Site being rebuilt; closed for now.", "Đang cải tạo, tạm đóng cửa."),
    "人员调整，暂停开放。": ("Closed while staff change.", "Tạm đóng cửa do thay đổi nhân sự."),
}
NOTES_EN_VI = {
    "热水器维修中，预计周五恢复。": (
        "Water heater under repair, back on Friday.",
        "Bình nóng lạnh đang sửa, dự kiến thứ Sáu dùng lại được.",
    ),
    "淋浴间排水维修中。": ("Shower drain under repair.", "Đang sửa ống thoát nước phòng tắm."),
    "充电插座更换中。": ("Charging sockets being replaced.", "Đang thay ổ cắm sạc."),
    "每晚30元": ("30 yuan a night", "30 tệ một đêm"),
    "按价目表": ("See the price list", "Theo bảng giá"),
}


def _in_three(zh: str, en_vi: tuple[str, str] | None, field: str) -> dict[str, str]:
    """The three language columns of ``field`` (English and Vietnamese left empty if None)."""
    en, vi = en_vi or ("", "")
    return {field: zh, f"{field}_zh_hans": zh, f"{field}_en": en, f"{field}_vi": vi}


CLOSURE_REASONS = [
    "内部装修，预计下月重新开放。",
    "台风过后检修供电，暂停服务。",
    "场地改造，临时关闭。",
    "人员调整，暂停开放。",
]
OUT_OF_ORDER_NOTES = ["热水器维修中，预计周五恢复。", "淋浴间排水维修中。", "充电插座更换中。"]


def _along(line, fraction):
    """Return the (lng, lat) at ``fraction`` of the way along a polyline (by vertices)."""
    segments = len(line) - 1
    position = min(fraction * segments, segments - 1e-9)
    index = int(position)
    t = position - index
    (x0, y0), (x1, y1) = line[index], line[index + 1]
    return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t


def _district(lat, lng):
    if lat > 21.95:
        return Station.District.SHANGSI
    if lng < 108.1:
        return Station.District.DONGXING
    if lat > 21.70:
        return Station.District.FANGCHENG
    return Station.District.GANGKOU


def _plan():
    """Return the demo stations as dicts, in a fixed order (the same on every run)."""
    rng = random.Random(20250821)
    kinds = list(NAME_PATTERNS)
    plan = []
    for route, line, places, count in (
        (Station.Route.G228, G228, PLACES_G228, 24),
        (Station.Route.G219, G219, PLACES_G219, 18),
    ):
        for index in range(count):
            lng, lat = _along(line, (index + 0.5) / count)
            # Stations stand beside the road, not on it: a few hundred metres off.
            lat += rng.uniform(-0.004, 0.004)
            lng += rng.uniform(-0.004, 0.004)
            place = places[index * len(places) // count]
            kind = kinds[(index * 3 + len(plan)) % len(kinds)]
            km = round(rng.uniform(0.5, 9.5), 1)
            en, vi = PLACE_NAMES[place]
            plan.append(
                {
                    "place": place,
                    "kind": kind,
                    "route": route,
                    "lat": lat,
                    "lng": lng,
                    "note": f"{place}附近，{route}旁约{km}公里",
                    "note_en_vi": (
                        f"Near {en}, about {km} km along {route}",
                        f"Gần {vi}, khoảng {km} km dọc {route}",
                    ),
                }
            )
    # The port: many stations close together (cargo yards, dock parking).
    for index in range(18):
        place = PORT_PLACES[index % len(PORT_PLACES)]
        kind = [
            Station.Kind.PORT_PARKING,
            Station.Kind.CARGO_YARD,
            Station.Kind.DRIVER_HOME,
            Station.Kind.WARM_NEW,
        ][index % 4]
        plan.append(
            {
                "place": place,
                "kind": kind,
                "route": Station.Route.OTHER,
                "lat": 21.58 + rng.uniform(-0.03, 0.03),
                "lng": 108.36 + rng.uniform(-0.04, 0.04),
                "note": f"防城港港区{place}",
                "note_en_vi": (
                    f"Fangchenggang port area, {PLACE_NAMES[place][0]}",
                    f"Khu cảng Phòng Thành Cảng, {PLACE_NAMES[place][1]}",
                ),
            }
        )
    # Unique names: the second station of a name gets a number.
    seen = {}
    for number, item in enumerate(plan, start=1):
        base = NAME_PATTERNS[item["kind"]].format(place=item["place"])
        seen[base] = seen.get(base, 0) + 1
        item["name"] = base if seen[base] == 1 else f"{base}（{seen[base]}号）"
        en_place, vi_place = PLACE_NAMES[item["place"]]
        en_pattern, vi_pattern = NAME_PATTERNS_EN_VI[item["kind"]]
        en, vi = en_pattern.format(place=en_place), vi_pattern.format(place=vi_place)
        if seen[base] > 1:
            en, vi = f"{en} (No. {seen[base]})", f"{vi} (số {seen[base]})"
        item["slug"] = f"demo-{number:03d}"
        translated = item["slug"] not in UNTRANSLATED
        item["name_en_vi"] = (en, vi) if translated else None
        item["address_en_vi"] = (
            (
                f"{en_place}, Fangchenggang, Guangxi (demo address)",
                f"{vi_place}, Phòng Thành Cảng, Quảng Tây (địa chỉ mẫu)",
            )
            if translated
            else None
        )
        if not translated:
            item["note_en_vi"] = None
        item["rng"] = random.Random(number)
    return plan


def _hours_for(station, rng):
    choice = rng.random()
    if choice < 0.55:
        station.open_24h = True
        return []
    station.open_24h = False
    if choice < 0.8:
        return [(day, time(7, 0), time(22, 0)) for day in range(7)]
    if choice < 0.9:
        # Evenings into the night, for drivers arriving late.
        return [(day, time(18, 0), time(2, 0)) for day in range(7)]
    return [(day, time(8, 30), time(18, 0)) for day in range(6)]


def seed(*, stdout):
    amenities = {amenity.code: amenity for amenity in Amenity.objects.all()}
    for code, line, colour, ends in (
        ("G228", G228, "#b3261e", (("钦州", "Qinzhou", "Khâm Châu"), DONGXING)),
        ("G219", G219, "#0b5cad", (("上思", "Shangsi", "Thượng Tư"), DONGXING)),
    ):
        names = {
            f"{end}_name_{language}": name
            for end, trio in zip(("start", "end"), ends, strict=True)
            for language, name in zip(("zh_hans", "en", "vi"), trio, strict=True)
        }
        RouteLine.objects.get_or_create(
            code=code,
            defaults={
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]},
                "colour": colour,
                "is_demo": True,
                **names,
            },
        )
    plan = _plan()
    created = 0
    stations = []
    for number, item in enumerate(plan, start=1):
        rng = item["rng"]
        # A party-member vanguard post at every Driver Home on G228, with a duty number of
        # its own (a fake landline, never a demo person's mobile).
        vanguard = item["kind"] == Station.Kind.DRIVER_HOME and item["route"] == Station.Route.G228
        station, is_new = Station.objects.get_or_create(
            slug=item["slug"],
            defaults={
                **_in_three(item["name"], item["name_en_vi"], "name"),
                "kind": item["kind"],
                "route": item["route"],
                **_in_three(item["note"], item["note_en_vi"], "location_note"),
                "district": _district(item["lat"], item["lng"]),
                **_in_three(
                    f"广西防城港市{item['place']}（演示地址）", item["address_en_vi"], "address"
                ),
                "latitude": round(item["lat"], 6),
                "longitude": round(item["lng"], 6),
                **_in_three(
                    f"{item['place']}演示服务单位",
                    None
                    if item["name_en_vi"] is None
                    else (
                        f"{PLACE_NAMES[item['place']][0]} demo host",
                        f"Đơn vị phục vụ mẫu {PLACE_NAMES[item['place']][1]}",
                    ),
                    "host_organisation",
                ),
                # Fake landlines in the city's 0770 area, apart from any demo person's mobile.
                "phone": f"077028{number:05d}",
                "published": number != 7,
                "status": (
                    Station.Status.TEMPORARILY_CLOSED
                    if number % 15 == 4
                    else Station.Status.RETIRED
                    if number == 13
                    else Station.Status.OPEN
                ),
                "truck_parking_spaces": rng.choice([None, 10, 20, 40, 80, 150]),
                "max_vehicle_length_m": rng.choice([None, 18, 20]),
                "max_vehicle_height_m": rng.choice([None, 4.5, 5]),
                "has_lighting": rng.random() < 0.8,
                "has_cctv": rng.random() < 0.6,
                "guarded_lot": rng.random() < 0.3,
                "last_verified": date(2026, 11, 1) - timedelta(days=rng.randint(0, 120)),
                "vanguard_post": vanguard,
                **_in_three(
                    "每天 08:00–20:00" if vanguard else "",
                    ("Daily 08:00–20:00", "Hằng ngày 08:00–20:00") if vanguard else None,
                    "vanguard_hours",
                ),
                "vanguard_phone": f"077029{number:05d}" if vanguard else "",
                "is_demo": True,
            },
        )
        stations.append(station)
        if not is_new:
            continue
        created += 1
        if station.status == Station.Status.TEMPORARILY_CLOSED:
            reason = CLOSURE_REASONS[number % len(CLOSURE_REASONS)]
            for field, value in _in_three(
                reason, CLOSURE_REASONS_EN_VI[reason], "closure_reason"
            ).items():
                setattr(station, field, value)
        hours = _hours_for(station, rng)
        station.save()
        OpeningHours.objects.bulk_create(
            OpeningHours(station=station, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in hours
        )
        codes = list(BASE_AMENITIES[item["kind"]]) + rng.sample(EXTRAS, k=rng.randint(1, 3))
        rows = []
        for code in dict.fromkeys(codes):
            paid = code in {"lodging", "dining", "truck_repair"} and rng.random() < 0.6
            price = "每晚30元" if paid and code == "lodging" else "按价目表" if paid else ""
            row = StationAmenity(
                station=station,
                amenity=amenities[code],
                is_free=not paid,
                **_in_three(price, NOTES_EN_VI.get(price), "price_note"),
            )
            if code in {"hot_water", "showers", "phone_charging"} and number % 11 == 5:
                row.live_status = StationAmenity.LiveStatus.OUT_OF_ORDER
                note = OUT_OF_ORDER_NOTES[number % len(OUT_OF_ORDER_NOTES)]
                for field, value in _in_three(note, NOTES_EN_VI[note], "status_note").items():
                    setattr(row, field, value)
            rows.append(row)
        StationAmenity.objects.bulk_create(rows)
    # Where each station lies along the lines (what "stations ahead" reads).
    route_positions_rebuild_all()
    manager = demo_account(username="demo-station-manager", role=STATION_MANAGERS, stdout=stdout)
    port_stations = [s for s in stations if s.route == Station.Route.OTHER][:4]
    manager.managed_stations.add(*port_stations)
    stdout.write(f"Stations: {created} demo stations created, {len(stations)} in the plan.")
