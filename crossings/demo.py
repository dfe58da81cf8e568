"""Demo border crossings near Fangchenggang (positions approximate, texts written for the demo)."""

from datetime import time, timedelta

from django.utils import timezone

from .models import Crossing, CrossingNotice

CROSSINGS = [
    {
        "slug": "demo-dongxing",
        "name": ("东兴口岸", "Dongxing Port of Entry", "Cửa khẩu Đông Hưng"),
        "latitude": 21.5447,
        "longitude": 107.9731,
        "handles_people": True,
        "handles_freight": False,
        "goods": ("", "", ""),
        "opens": time(7, 0),
        "closes": time(23, 0),
        "hours_note": ("节假日时间另行通知（演示）", "Holiday hours announced here (demo)", ""),
        "documents": (
            "护照或出入境通行证；车辆通行证（演示）",
            "Passport or border pass; vehicle permit (demo)",
            "Hộ chiếu hoặc giấy thông hành; giấy phép xe (mẫu)",
        ),
        "phone": "07707651234",
    },
    {
        "slug": "demo-beilun-bridge-2",
        "name": (
            "北仑河二桥货运通道",
            "Beilun River Bridge 2 freight lane",
            "Cầu Bắc Luân 2 (luồng hàng hóa)",
        ),
        "latitude": 21.5386,
        "longitude": 107.9905,
        "handles_people": False,
        "handles_freight": True,
        "goods": (
            "水果、海产品、机电产品、日用品（演示）",
            "Fruit, seafood, machinery, everyday goods (demo)",
            "Hoa quả, hải sản, máy móc, hàng tiêu dùng (mẫu)",
        ),
        "opens": time(8, 0),
        "closes": time(0, 30),
        "hours_note": ("", "", ""),
        "documents": (
            "报关单、原产地证、车辆通行证、驾驶证（演示）",
            "Customs declaration, certificate of origin, vehicle permit, driving licence (demo)",
            "Tờ khai hải quan, giấy chứng nhận xuất xứ, giấy phép xe, bằng lái (mẫu)",
        ),
        "phone": "07707655678",
    },
    {
        # Left in Chinese only on purpose: the fallback shows the Chinese with its pinyin.
        "slug": "demo-dongzhong",
        "name": ("峒中口岸", "", ""),
        "latitude": 21.6636,
        "longitude": 107.6950,
        "handles_people": True,
        "handles_freight": True,
        "goods": ("农产品、建材（演示）", "", ""),
        "opens": time(8, 0),
        "closes": time(18, 0),
        "hours_note": ("", "", ""),
        "documents": ("边境通行证（演示）", "", ""),
        "phone": "",
    },
]

NOTICES = [
    (
        "demo-beilun-bridge-2",
        timedelta(minutes=40),
        (
            "货车排队约6小时（演示）",
            "Freight queue about 6 hours (demo)",
            "Xe tải xếp hàng khoảng 6 giờ (mẫu)",
        ),
    ),
    (
        "demo-dongxing",
        timedelta(hours=9),
        (
            "节日期间关闭至明早08:00（演示）",
            "Closed for the holiday until 08:00 tomorrow (demo)",
            "Đóng cửa dịp lễ đến 08:00 sáng mai (giờ Trung Quốc, mẫu)",
        ),
    ),
    ("demo-dongzhong", timedelta(hours=2), ("通关正常（演示）", "", "")),
]


def _three(field, trio):
    zh, en, vi = trio
    return {field: zh, f"{field}_zh_hans": zh, f"{field}_en": en, f"{field}_vi": vi}


def seed(*, stdout):
    created = 0
    for item in CROSSINGS:
        values = dict(item)
        slug = values.pop("slug")
        defaults = {"is_demo": True}
        for field in ("name", "goods", "hours_note", "documents"):
            defaults.update(_three(field, values.pop(field)))
        defaults.update(values)
        _crossing, new = Crossing.objects.get_or_create(slug=slug, defaults=defaults)
        created += new
    if created:
        now = timezone.now()
        by_slug = {c.slug: c for c in Crossing.objects.filter(is_demo=True)}
        CrossingNotice.objects.bulk_create(
            CrossingNotice(crossing=by_slug[slug], posted_at=now - ago, **_three("text", trio))
            for slug, ago, trio in NOTICES
        )
    stdout.write(f"Crossings: {created} demo crossings created.")
