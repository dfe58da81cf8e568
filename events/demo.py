"""Demo care events and visits: a season around today at the demo stations (invented data)."""

from datetime import datetime, time, timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.demo import demo_account, demo_committee_and_branches
from accounts.roles import ORGANIZERS
from events.models import Event, EventPhoto, Visit
from portal.lib.images import process_image
from portal.lib.storage import store_image_pair
from portal.lib.timezone import local_tz
from stations.models import Station

BRANCHES = ["港城货运物流公司党支部", "边关通运输公司党支部"]
PLACES = [
    "港口区渔洲坪货车停车场",
    "东兴口岸货场联检大楼旁",
    "防城区G219服务区",
    "上思县城党群服务中心",
    "江山半岛加油站",
]

# (days from today, local start hour, hours, kind, title, branch index or None for the
# committee, status, note, people reached, report, capacity)
EVENTS = [
    (
        -58,
        9,
        3,
        Event.Kind.SUMMER_COOLING,
        "三伏天夏送清凉进货场",
        None,
        "scheduled",
        "",
        186,
        "为进出港货车司机送上绿豆汤、藿香正气水和清凉油，共惠及司机186人。",
        None,
    ),
    (
        -45,
        15,
        2,
        Event.Kind.SAFETY_TRAINING,
        "夏季高温道路运输安全培训",
        0,
        "scheduled",
        "",
        64,
        "讲解高温天气轮胎、刹车检查和疲劳驾驶防范，现场答疑20余个问题。",
        80,
    ),
    (
        -31,
        19,
        1,
        Event.Kind.PARTY_LESSON,
        "车轮上的微党课：新时代货车司机",
        1,
        "scheduled",
        "",
        38,
        "流动党员和司机党员在站点共学，线上同步推送学习材料。",
        50,
    ),
    (
        -17,
        10,
        2,
        Event.Kind.FORUM,
        "企业与司机面对面座谈会",
        None,
        "scheduled",
        "",
        27,
        "围绕社保缴纳、休息休假和夜间维修救援听取司机意见，收集诉求9条。",
        40,
    ),
    (
        -6,
        9,
        4,
        Event.Kind.VISIT,
        "口岸停车场走访慰问",
        0,
        "scheduled",
        "",
        95,
        "走访滞留口岸的跨境货车司机，送上慰问品和饮用水。",
        None,
    ),
    (
        3,
        9,
        2,
        Event.Kind.POLICY_BRIEFING,
        "货车司机社保政策宣讲",
        None,
        "scheduled",
        "",
        None,
        "",
        60,
    ),
    (
        8,
        15,
        2,
        Event.Kind.SAFETY_TRAINING,
        "冬季雨雾天气安全驾驶培训",
        1,
        "cancelled",
        "受强冷空气和大雾影响，本场培训取消，改期另行通知。",
        None,
        "",
        60,
    ),
    (12, 19, 1, Event.Kind.PARTY_LESSON, "司机之家读书角微党课", 0, "scheduled", "", None, "", 30),
    (
        20,
        10,
        3,
        Event.Kind.OTHER,
        "免费车辆安全检查日",
        1,
        "postponed",
        "因检测设备调配，推迟一周举行，具体时间另行通知。",
        None,
        "",
        None,
    ),
    (34, 9, 4, Event.Kind.SENDING_WARMTH, "岁末送温暖进站点", None, "scheduled", "", None, "", 200),
]

DESCRIPTION = (
    "欢迎过往货车司机朋友参加。活动免费，无需报名，带上驾驶证即可。\n\n"
    "如需帮助，请拨打站点电话或24小时救援热线。"
)

# (days ago, branch index or None, person-times, what was given, notes)
VISITS = [
    (75, None, 48, "绿豆汤、防暑药品", "港口码头停车场夏季慰问"),
    (68, 0, 32, "清凉油、毛巾", "企业车队走访"),
    (61, 1, 27, "矿泉水、藿香正气水", "东兴口岸货场走访"),
    (54, None, 40, "慰问金", "困难司机家庭走访"),
    (47, 0, 22, "防暑用品", "G228沿线停车点走访"),
    (40, 1, 35, "西瓜、饮用水", "跨境司机滞留期间慰问"),
    (33, None, 18, "法律咨询服务", "劳动权益咨询进站点"),
    (26, 0, 29, "车辆应急工具包", "夜间运输司机走访"),
    (19, 1, 24, "保温杯、手套", "入秋走访"),
    (12, None, 31, "慰问品", "患病司机家庭走访"),
    (5, 0, 26, "棉衣、热水袋", "寒潮前走访慰问"),
]

COLOURS = [(214, 93, 40), (46, 125, 90), (30, 98, 160), (150, 60, 120), (190, 150, 30)]


def _demo_image(colour, label: str):
    image = Image.new("RGB", (960, 540), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 920, 500), outline=(255, 255, 255), width=6)
    draw.text((80, 250), label, fill=(255, 255, 255))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return process_image(SimpleUploadedFile("demo.png", buffer.getvalue()))


# Demo translations (English, Vietnamese), written for the demo. "司机之家读书角微党课" is
# left in Chinese on purpose, to show the fallback.
TRANSLATIONS = {
    DESCRIPTION: (
        "All passing truck drivers are welcome. Free, no sign-up: just bring your driving "
        "licence.\n\nFor help, call the station or the 24-hour rescue line.",
        "Mời các bác tài xe tải đi qua tham gia. Miễn phí, không cần đăng ký, chỉ cần mang "
        "bằng lái.\n\nCần giúp đỡ, hãy gọi điện thoại của trạm hoặc đường dây cứu hộ 24 giờ.",
    ),
    "三伏天夏送清凉进货场": (
        "Cool drinks for the dog days at the cargo yard",
        "Mang nước mát đến bãi hàng ngày nắng nóng",
    ),
    "夏季高温道路运输安全培训": (
        "Road safety training for the summer heat",
        "Tập huấn an toàn vận tải khi trời nắng nóng",
    ),
    "车轮上的微党课：新时代货车司机": (
        "A short Party lesson on wheels: truck drivers today",
        "Bài học Đảng ngắn trên bánh xe: tài xế xe tải thời nay",
    ),
    "企业与司机面对面座谈会": (
        "Companies and drivers face to face",
        "Tọa đàm doanh nghiệp và tài xế",
    ),
    "口岸停车场走访慰问": (
        "Visiting drivers in the border car park",
        "Thăm hỏi tài xế tại bãi đỗ xe cửa khẩu",
    ),
    "货车司机社保政策宣讲": (
        "Social insurance for truck drivers explained",
        "Giới thiệu chính sách bảo hiểm xã hội cho tài xế xe tải",
    ),
    "冬季雨雾天气安全驾驶培训": (
        "Safe driving in winter rain and fog",
        "Tập huấn lái xe an toàn khi mưa và sương mù mùa đông",
    ),
    "免费车辆安全检查日": ("Free truck safety check day", "Ngày kiểm tra an toàn xe miễn phí"),
    "岁末送温暖进站点": (
        "Year-end warmth at the stations",
        "Mang hơi ấm cuối năm đến các trạm",
    ),
    "受强冷空气和大雾影响，本场培训取消，改期另行通知。": (
        "Cancelled because of the cold wave and thick fog; a new date will be announced.",
        "Hủy do không khí lạnh và sương mù dày; ngày mới sẽ được thông báo sau.",
    ),
    "因检测设备调配，推迟一周举行，具体时间另行通知。": (
        "Put back a week while the test equipment is moved; the new time will be announced.",
        "Hoãn một tuần do điều chuyển thiết bị kiểm tra; thời gian cụ thể sẽ báo sau.",
    ),
    "为进出港货车司机送上绿豆汤、藿香正气水和清凉油，共惠及司机186人。": (
        "Mung bean soup, herbal remedies and cooling balm for 186 drivers in and out of the port.",
        "Chè đậu xanh, thuốc thảo dược và dầu gió cho 186 tài xế ra vào cảng.",
    ),
    "讲解高温天气轮胎、刹车检查和疲劳驾驶防范，现场答疑20余个问题。": (
        "Tyres, brakes and tiredness in the heat; more than 20 questions answered.",
        "Lốp, phanh và phòng chống lái xe mệt mỏi khi nắng nóng; giải đáp hơn 20 câu hỏi.",
    ),
    "流动党员和司机党员在站点共学，线上同步推送学习材料。": (
        "Mobile and driver Party members studied together at the station; materials sent online.",
        "Đảng viên lưu động và đảng viên tài xế cùng học tại trạm; tài liệu gửi qua mạng.",
    ),
    "围绕社保缴纳、休息休假和夜间维修救援听取司机意见，收集诉求9条。": (
        "Drivers spoke on insurance, rest days and night repairs; 9 requests collected.",
        "Tài xế góp ý về bảo hiểm, ngày nghỉ và sửa xe ban đêm; ghi nhận 9 kiến nghị.",
    ),
    "走访滞留口岸的跨境货车司机，送上慰问品和饮用水。": (
        "Gifts and drinking water for cross-border drivers held up at the crossing.",
        "Tặng quà và nước uống cho tài xế xe tải qua biên giới đang chờ ở cửa khẩu.",
    ),
}


def _in_three(field: str, zh: str) -> dict[str, str]:
    en, vi = TRANSLATIONS.get(zh, ("", "")) if zh else ("", "")
    return {field: zh, f"{field}_zh_hans": zh, f"{field}_en": en, f"{field}_vi": vi}


def seed(*, stdout) -> None:
    """Create the demo events and visits when missing (natural keys: titles and notes)."""
    committee, branches = demo_committee_and_branches(BRANCHES)
    organizer = demo_account(
        username="demo-organizer", role=ORGANIZERS, organisations=[committee], stdout=stdout
    )
    stations = list(Station.objects.published().order_by("pk")[:6])
    today = timezone.localdate()
    created = 0
    for index, row in enumerate(EVENTS):
        days, hour, hours, kind, title, branch, status, note, reached, report, capacity = row
        if Event.objects.filter(title_zh_hans=title).exists():
            continue
        starts = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=local_tz())
        venue = (
            {"station": stations[index % len(stations)]}
            if stations
            else {"place": PLACES[index % len(PLACES)]}
        )
        event = Event(
            kind=kind,
            **_in_three("title", title),
            **_in_three("description", DESCRIPTION),
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            organisation=committee if branch is None else branches[branch],
            capacity=capacity,
            status=status,
            **_in_three("status_note", note),
            published=True,
            people_reached=reached,
            **_in_three("report", report),
            created_by=organizer,
            **venue,
        )
        if index % 3 == 0:
            cover = _demo_image(COLOURS[index % len(COLOURS)], "Driver Home")
            store_image_pair(large=event.cover, small=event.cover_small, image=cover, stem="cover")
        event.save()
        if reached:
            photo = _demo_image(COLOURS[(index + 2) % len(COLOURS)], "photo")
            item = EventPhoto(event=event, caption="活动现场（示意图）")
            store_image_pair(large=item.image, small=item.thumbnail, image=photo, stem="photo")
            item.save()
        created += 1
    visits = 0
    for days_ago, branch, person_times, given, notes in VISITS:
        _visit, made = Visit.objects.get_or_create(
            organisation=committee if branch is None else branches[branch],
            notes=notes,
            defaults={
                "date": today - timedelta(days=days_ago),
                "person_times": person_times,
                "given": given,
                "created_by": organizer,
            },
        )
        visits += made
    stdout.write(f"Care events: {created} events and {visits} visit records added.")
