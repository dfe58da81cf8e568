"""The amenity catalogue and the station managers' permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# code, Chinese, English, Vietnamese, symbol, key amenity, order
AMENITIES = [
    ("dining", "餐饮", "Dining", "Ăn uống", "🍜", True, 10),
    ("showers", "洗浴", "Showers", "Tắm rửa", "🚿", True, 20),
    ("lodging", "住宿", "Lodging", "Chỗ ngủ", "🛏", True, 30),
    ("rest_area", "休息区", "Rest area", "Khu nghỉ ngơi", "🛋", True, 40),
    ("free_parking", "免费停车", "Free parking", "Đỗ xe miễn phí", "🅿", True, 50),
    ("hot_water", "热水", "Hot water", "Nước nóng", "♨", True, 60),
    ("phone_charging", "手机充电", "Phone charging", "Sạc điện thoại", "🔌", True, 70),
    ("first_aid", "简易救治", "Simple first aid", "Sơ cứu đơn giản", "⛑", True, 80),
    ("wifi", "免费无线网络", "Free Wi-Fi", "Wi-Fi miễn phí", "📶", False, 90),
    ("vending_machine", "自动售货机", "Vending machine", "Máy bán hàng tự động", "🥤", False, 100),
    ("reading", "阅读", "Reading", "Đọc sách", "📖", False, 110),
    ("fitness", "健身", "Fitness", "Tập thể dục", "🏋", False, 120),
    ("truck_repair", "货车维修", "Truck repair", "Sửa xe tải", "🔧", False, 130),
    (
        "party_reading_corner",
        "党员读书角",
        "Party-member reading corner",
        "Góc đọc sách đảng viên",
        "📕",
        False,
        140,
    ),
    ("emergency_rescue", "24小时应急救援", "24-hour emergency rescue", "Cứu hộ 24 giờ", "🚨", False, 150),
]

# What station managers may do: edit their stations (the admin scopes which ones) and
# everything hanging off them; never add or delete stations.
MANAGER_PERMISSIONS = [
    "view_station",
    "change_station",
    "view_amenity",
    "view_routeline",
    "add_stationamenity",
    "change_stationamenity",
    "delete_stationamenity",
    "view_stationamenity",
    "add_openinghours",
    "change_openinghours",
    "delete_openinghours",
    "view_openinghours",
    "add_stationphoto",
    "change_stationphoto",
    "delete_stationphoto",
    "view_stationphoto",
]


def forwards(apps, schema_editor):
    Amenity = apps.get_model("stations", "Amenity")
    for code, zh, en, vi, icon, key, order in AMENITIES:
        Amenity.objects.update_or_create(
            code=code,
            defaults={
                "name_zh_hans": zh,
                "name_en": en,
                "name_vi": vi,
                "icon": icon,
                "key": key,
                "sort_order": order,
            },
        )
    # Permissions are normally created after migrate; create them now to grant them.
    app_config = apps.get_app_config("stations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Station managers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="stations", codename__in=MANAGER_PERMISSIONS
        )
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Station managers"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="stations", codename__in=MANAGER_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_staff_groups"),
        ("stations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
