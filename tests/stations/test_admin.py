"""Station admin: manager scoping, location picker, photos, import and export."""

import io
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from accounts.roles import STATION_MANAGERS
from stations.admin import StationAdmin
from stations.models import Station, StationAmenity, StationPhoto


@pytest.fixture
def two_stations(make_station, station_manager):
    mine = make_station("我的站", slug="mine")
    theirs = make_station("别人的站", slug="theirs")
    mine.managers.add(station_manager)
    return mine, theirs


def test_editable_by_scopes_station_managers(two_stations, station_manager, superuser, db):
    mine, theirs = two_stations
    assert list(Station.objects.editable_by(station_manager)) == [mine]
    assert set(Station.objects.editable_by(superuser)) == {mine, theirs}


def test_editable_by_refuses_anonymous_and_staff_without_role(two_stations, make_user, db):
    from django.contrib.auth.models import AnonymousUser

    assert not Station.objects.editable_by(AnonymousUser()).exists()
    assert not Station.objects.editable_by(make_user("nobody")).exists()


def test_manager_changelist_shows_only_their_stations(client, two_stations, station_manager):
    client.force_login(station_manager)
    response = client.get(reverse("admin:stations_station_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的站" in html
    assert "别人的站" not in html


def test_manager_cannot_open_or_change_another_station(client, two_stations, station_manager):
    mine, theirs = two_stations
    client.force_login(station_manager)
    url = reverse("admin:stations_station_change", args=[theirs.pk])
    response = client.get(url)
    assert response.status_code == 302  # the admin redirects: "doesn't exist"
    response = client.post(url, {"name": "被改了"})
    theirs.refresh_from_db()
    assert theirs.name == "别人的站"


def test_manager_cannot_add_stations_or_import(client, two_stations, station_manager):
    client.force_login(station_manager)
    assert client.get(reverse("admin:stations_station_add")).status_code == 403
    assert client.get(reverse("admin:stations_station_import")).status_code == 403


def _change_form_data(station, **overrides):
    data = {
        "name_zh_hans": station.name,
        "slug": station.slug,
        "kind": station.kind,
        "host_organisation": "",
        "status": station.status,
        "closure_reason_zh_hans": "",
        "published": "on",
        "route": station.route,
        "location_note_zh_hans": "",
        "district": station.district,
        "address_zh_hans": "",
        "latitude": str(station.latitude),
        "longitude": str(station.longitude),
        "phone": "",
        "open_24h": "on",
        "last_verified": "",
        "truck_parking_spaces": "",
        "max_vehicle_length_m": "",
        "max_vehicle_height_m": "",
        "amenities-TOTAL_FORMS": "0",
        "amenities-INITIAL_FORMS": "0",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        # The history inline (read-only, shown to administrators).
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_manager_edits_their_station_and_flips_live_status(client, two_stations, station_manager):
    from stations.models import Amenity

    mine, _theirs = two_stations
    client.force_login(station_manager)
    hot_water = Amenity.objects.get(code="hot_water")
    data = _change_form_data(
        mine,
        **{
            "amenities-TOTAL_FORMS": "1",
            "amenities-0-amenity": str(hot_water.pk),
            "amenities-0-is_free": "on",
            "amenities-0-live_status": "out_of_order",
            "amenities-0-status_note_zh_hans": "周五恢复",
            "amenities-0-price_note_zh_hans": "",
        },
    )
    response = client.post(reverse("admin:stations_station_change", args=[mine.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = StationAmenity.objects.get(station=mine)
    assert row.live_status == "out_of_order"
    assert row.status_note == "周五恢复"
    # Managers cannot reassign stations to themselves or others.
    assert list(mine.managers.all()) == [station_manager]


def test_admin_refuses_out_of_range_coordinates(client, two_stations, superuser):
    mine, _theirs = two_stations
    client.force_login(superuser)
    url = reverse("admin:stations_station_change", args=[mine.pk])
    response = client.post(url, _change_form_data(mine, latitude="95", longitude="108"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    mine.refresh_from_db()
    assert mine.latitude == pytest.approx(21.6)


def test_change_form_has_the_location_picker_with_a_nonce(client, two_stations, superuser):
    mine, _theirs = two_stations
    client.force_login(superuser)
    html = client.get(reverse("admin:stations_station_change", args=[mine.pk])).content.decode()
    assert 'id="location-picker"' in html
    assert "station-location-picker.js" in html
    assert "leaflet/leaflet.js" in html
    nonce = re.search(r'<script nonce="([^"]+)">', html).group(1)
    response = client.get(reverse("admin:stations_station_change", args=[mine.pk]))
    assert "script-src" in response["Content-Security-Policy"]
    assert nonce and "GeoDjango" not in html


def test_convert_endpoint_for_gcj02_tiles(client, superuser, db):
    client.force_login(superuser)
    url = reverse("admin:stations_station_convert")
    shifted = client.get(url, {"lat": "21.58", "lng": "108.36"}).json()
    back = client.get(url, {"lat": shifted["lat"], "lng": shifted["lng"], "to": "wgs84"}).json()
    assert shifted != {"lat": 21.58, "lng": 108.36}
    assert back["lat"] == pytest.approx(21.58, abs=1e-6)
    assert back["lng"] == pytest.approx(108.36, abs=1e-6)
    assert client.get(url, {"lat": "x", "lng": "1"}).status_code == 400


def test_convert_endpoint_needs_staff(client, db):
    response = client.get(reverse("admin:stations_station_convert"), {"lat": "1", "lng": "1"})
    assert response.status_code == 302


def _jpeg_with_gps():
    image = Image.new("RGB", (800, 600), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 35.0, 0.0)}
    exif[0x0112] = 6  # rotated: stored landscape, shown portrait
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photo_upload_is_reencoded_without_metadata(client, two_stations, station_manager):
    mine, _theirs = two_stations
    client.force_login(station_manager)
    data = _change_form_data(
        mine,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-caption": "门口",
            "photos-0-sort_order": "0",
            "photos-0-image": SimpleUploadedFile("a.txt", _jpeg_with_gps(), "text/plain"),
        },
    )
    response = client.post(reverse("admin:stations_station_change", args=[mine.pk]), data)
    assert response.status_code == 302
    photo = StationPhoto.objects.get(station=mine)
    with Image.open(photo.large.path) as large:
        assert large.size == (600, 800)  # EXIF orientation applied
        assert not large.getexif()
    with Image.open(photo.small.path) as small:
        assert max(small.size) == 480
    html = client.get(mine.get_absolute_url()).content.decode()
    assert photo.small.url in html


@pytest.mark.parametrize(
    "content",
    [b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", b"GIF89a...."],
)
def test_photo_upload_refuses_non_images(client, two_stations, station_manager, content):
    mine, _theirs = two_stations
    client.force_login(station_manager)
    data = _change_form_data(
        mine,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-caption": "x",
            "photos-0-sort_order": "0",
            "photos-0-image": SimpleUploadedFile("photo.jpg", content, "image/jpeg"),
        },
    )
    response = client.post(reverse("admin:stations_station_change", args=[mine.pk]), data)
    assert response.status_code == 200
    assert "JPEG, PNG" in response.content.decode() or "JPEG、PNG" in response.content.decode()
    assert not StationPhoto.objects.exists()


def test_photo_upload_refuses_decompression_bombs(client, two_stations, superuser):
    mine, _theirs = two_stations
    client.force_login(superuser)
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")
    data = _change_form_data(
        mine,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-caption": "",
            "photos-0-sort_order": "0",
            "photos-0-image": SimpleUploadedFile("bomb.png", buffer.getvalue(), "image/png"),
        },
    )
    response = client.post(reverse("admin:stations_station_change", args=[mine.pk]), data)
    assert response.status_code == 200
    assert not StationPhoto.objects.exists()


def test_export_is_scoped_and_neutralises_formulas(client, make_station, station_manager):
    mine = make_station('=HYPERLINK("http://x")', slug="mine", amenities=["showers"])
    make_station("别人的站", slug="theirs")
    mine.managers.add(station_manager)
    client.force_login(station_manager)
    response = client.post(
        reverse("admin:stations_station_export"),
        {
            "format": _csv_format(),
            "resource": "0",
            **{f"stationresource_{f}": "on" for f in ("slug", "name", "amenity_codes")},
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    text = response.content.decode("utf-8-sig")
    assert "theirs" not in text
    assert "'=HYPERLINK" in text
    assert "showers" in text


def test_export_xlsx(client, make_station, superuser):
    make_station("+1 站", slug="plus")
    client.force_login(superuser)
    from import_export.formats.base_formats import XLSX

    formats = StationAdmin(Station, None).get_export_formats()
    index = formats.index(XLSX)
    response = client.post(
        reverse("admin:stations_station_export"),
        {
            "format": str(index),
            "resource": "0",
            "stationresource_slug": "on",
            "stationresource_name": "on",
        },
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'+1 站" in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


CSV_HEADER = (
    "slug,name,kind,route,district,latitude,longitude,phone,status,published,open_24h,amenities\n"
)


def _csv_format() -> str:
    from stations.resources import ExcelCSV

    return str(StationAdmin(Station, None).get_import_formats().index(ExcelCSV))


def _import(client, content):
    upload = SimpleUploadedFile("stations.csv", content.encode(), "text/csv")
    return client.post(
        reverse("admin:stations_station_import"),
        {"import_file": upload, "format": _csv_format(), "resource": "0"},
    )


def test_import_reports_errors_per_row_and_writes_nothing(client, superuser, db):
    client.force_login(superuser)
    content = CSV_HEADER + (
        "good,好站,driver_home,G228,gangkou,21.6,108.35,0770-2800001,open,1,1,showers\n"
        "bad-lat,坏纬度,driver_home,G228,gangkou,95,108.35,,open,1,1,\n"
        "bad-amenity,坏设施,driver_home,G228,gangkou,21.6,108.35,,open,1,1,jacuzzi\n"
        "bad-kind,坏类型,spaceport,G228,gangkou,21.6,108.35,,open,1,1,\n"
    )
    response = _import(client, content)
    assert response.status_code == 200
    html = response.content.decode()
    # Each bad row is listed with its own error; the good row waits for the fixes.
    for slug in ("bad-lat", "bad-amenity", "bad-kind"):
        assert slug in html
    assert "jacuzzi" in html
    assert "spaceport" in html
    assert not Station.objects.exists()


def test_import_then_confirm_creates_stations_with_amenities(client, superuser, db):
    client.force_login(superuser)
    content = CSV_HEADER + (
        'good,好站,driver_home,G228,gangkou,21.6,108.35,0770-2800001,open,1,1,"showers,hot_water"\n'
    )
    response = _import(client, content)
    assert response.status_code == 200
    confirm = re.search(r'name="import_file_name" value="([^"]+)"', response.content.decode())
    original = re.search(r'name="original_file_name" value="([^"]+)"', response.content.decode())
    assert confirm, response.content.decode()[-3000:]
    response = client.post(
        reverse("admin:stations_station_process_import"),
        {
            "import_file_name": confirm.group(1),
            "original_file_name": original.group(1),
            "format": _csv_format(),
            "resource": "0",
        },
    )
    assert response.status_code == 302
    station = Station.objects.get(slug="good")
    assert station.phone == "07702800001"
    assert sorted(station.amenities.values_list("amenity__code", flat=True)) == [
        "hot_water",
        "showers",
    ]


def test_station_managers_group_has_its_permissions(db):
    codenames = set(
        Group.objects.get(name=STATION_MANAGERS).permissions.values_list("codename", flat=True)
    )
    assert {
        "change_station",
        "view_station",
        "change_stationamenity",
        "add_stationphoto",
    } <= codenames
    assert "add_station" not in codenames
    assert "delete_station" not in codenames


def test_route_line_validation(db):
    from django.core.exceptions import ValidationError

    from stations.models import validate_line_string

    validate_line_string({"type": "LineString", "coordinates": [[108.3, 21.6], [108.4, 21.7]]})
    for bad in (
        {"type": "Point", "coordinates": [108.3, 21.6]},
        {"type": "LineString", "coordinates": [[108.3, 21.6]]},
        {"type": "LineString", "coordinates": [[21.6, 108.3], [21.7, 108.4]]},
        {"type": "LineString", "coordinates": [["a", 1], [1, 2]]},
        "not json",
    ):
        with pytest.raises(ValidationError):
            validate_line_string(bad)


def test_route_line_admin_refuses_latitude_first(client, superuser, db):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:stations_routeline_add"),
        {
            "code": "G228",
            "colour": "#b3261e",
            "geometry": json.dumps(
                {"type": "LineString", "coordinates": [[21.6, 108.3], [21.7, 200]]}
            ),
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_photo_on_a_full_disk_shows_the_form_again_and_stores_nothing(
    client, two_stations, station_manager, settings, full_disk
):
    from tests.conftest import files_under

    mine, _theirs = two_stations
    client.force_login(station_manager)
    data = _change_form_data(
        mine,
        **{
            "name_zh_hans": "改过的站名",
            "photos-TOTAL_FORMS": "2",
            "photos-0-caption": "门口",
            "photos-0-sort_order": "0",
            "photos-0-image": SimpleUploadedFile("a.jpg", _jpeg_with_gps(), "image/jpeg"),
            "photos-1-caption": "停车场",
            "photos-1-sort_order": "1",
            "photos-1-image": SimpleUploadedFile("b.jpg", _jpeg_with_gps(), "image/jpeg"),
        },
    )
    # The first photo is stored whole, the second's large rendition too: then the disk is full.
    full_disk.writes_that_fit = 3
    response = client.post(reverse("admin:stations_station_change", args=[mine.pk]), data)
    assert response.status_code == 200
    assert full_disk.writes == 4
    html = response.content.decode()
    assert "服务器存储空间已满" in html
    assert 'value="改过的站名"' in html and 'value="停车场"' in html
    assert not StationPhoto.objects.exists()
    mine.refresh_from_db()
    assert mine.name != "改过的站名"
    assert files_under(settings.MEDIA_ROOT) == []
