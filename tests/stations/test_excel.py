"""Station import and export that survive Excel: encodings, labels, phones, unchanged rows."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from stations.admin import StationAdmin
from stations.models import Station
from stations.resources import ExcelCSV, StationResource, decode_text
from stations.slugs import slug_base, slug_unique

pytestmark = pytest.mark.django_db


def _format(cls) -> str:
    return str(StationAdmin(Station, None).get_import_formats().index(cls))


@pytest.fixture
def stations(make_station):
    """Three stations as an admin keeps them: landline, date, decimals, amenities."""
    return [
        make_station(
            "东兴口岸司机之家",
            slug="dongxing",
            kind="driver_home",
            phone="07702800001",
            last_verified=date(2026, 1, 5),
            max_vehicle_length_m="18.00",
            amenities=["showers", "hot_water"],
        ),
        make_station("港口区加油站", slug="gangkou-gas", phone="13800001234", kind="gas_station"),
        make_station("企沙货场", slug="qisha", phone="", published=False, route="G228"),
    ]


def _export_csv(client) -> str:
    response = client.post(
        reverse("admin:stations_station_export"),
        {"format": _format(ExcelCSV), "resource": "0", **_all_fields()},
    )
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Chinese Excel needs
    return response.content.decode("utf-8-sig")


def _all_fields():
    return {f"stationresource_{name}": "on" for name in StationResource._meta.fields}


def _excel_rewrite(text: str) -> bytes:
    """Do to a CSV what Chinese Excel does on "save as CSV": GBK without a BOM, CRLF, dates
    as 2026/1/5, numbers without trailing zeros."""
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        cells = []
        for cell in row:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
                y, m, d = cell.split("-")
                cell = f"{int(y)}/{int(m)}/{int(d)}"
            elif re.fullmatch(r"-?\d+\.\d+", cell):
                cell = cell.rstrip("0").rstrip(".")
            cells.append(cell)
        writer.writerow(cells)
    return out.getvalue().encode("gbk")


def _preview(client, content: bytes, name="stations.csv", fmt=ExcelCSV):
    upload = SimpleUploadedFile(name, content, "text/csv")
    return client.post(
        reverse("admin:stations_station_import"),
        {"import_file": upload, "format": _format(fmt), "resource": "0"},
    )


def _confirm(client, preview, fmt=ExcelCSV):
    html = preview.content.decode()
    stored = re.search(r'name="import_file_name" value="([^"]+)"', html)
    original = re.search(r'name="original_file_name" value="([^"]+)"', html)
    assert stored, html[-3000:]
    return client.post(
        reverse("admin:stations_station_process_import"),
        {
            "import_file_name": stored.group(1),
            "original_file_name": original.group(1),
            "format": _format(fmt),
            "resource": "0",
        },
    )


def test_export_has_labels_words_and_phones_excel_keeps(client, superuser, stations):
    client.force_login(superuser)
    rows = list(csv.reader(io.StringIO(_export_csv(client))))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:3] == ["网址标识", "名称", "类型"]
    assert "True" not in sum(rows, []) and "False" not in sum(rows, [])
    station = next(dict(zip(header, row, strict=True)) for row in rows[1:] if "东兴" in row[1])
    assert station["类型"] == "司机之家" and station["已发布"] == "是"
    assert station["电话"] == "0770-2800001"  # text to Excel: the leading zero stays
    assert station["最近核实日期"] == "2026-01-05"
    assert first


def test_export_defaults_to_an_excel_workbook_with_phones_as_text(client, superuser, stations):
    assert StationAdmin(Station, None).get_export_formats()[0].__name__ == "XLSX"
    client.force_login(superuser)
    response = client.post(
        reverse("admin:stations_station_export"), {"format": "0", "resource": "0", **_all_fields()}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    phones = [row[10].value for row in sheet.iter_rows(min_row=2)]
    assert "0770-2800001" in phones and all(isinstance(p, str | None) for p in phones)


def test_gbk_file_with_one_changed_row_changes_exactly_one(client, superuser, stations):
    client.force_login(superuser)
    exported = _export_csv(client)
    changed = exported.replace("企沙货场", "企沙货场（新）")
    content = _excel_rewrite(changed)
    assert not content.startswith(b"\xef\xbb\xbf")
    before = {s.slug: s.updated_at for s in Station.objects.all()}
    preview = _preview(client, content)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.totals["update"] == 1 and result.totals["skip"] == 2
    assert result.totals["new"] == 0 and not result.has_errors()
    assert _confirm(client, preview).status_code == 302
    after = {s.slug: s.updated_at for s in Station.objects.all()}
    assert Station.objects.get(slug="qisha").name == "企沙货场（新）"
    assert after["dongxing"] == before["dongxing"] and after["gangkou-gas"] == before["gangkou-gas"]
    assert after["qisha"] > before["qisha"]


def test_export_then_excel_rewrite_then_import_changes_nothing(client, superuser, stations):
    client.force_login(superuser)
    for content in (
        _excel_rewrite(_export_csv(client)),
        _export_csv(client).encode("utf-8"),  # UTF-8 without the BOM
        _export_csv(client).encode("utf-8-sig"),
    ):
        result = _preview(client, content).context["result"]
        assert result.totals["skip"] == 3, result.totals
        assert result.totals["update"] == result.totals["new"] == 0


def test_workbook_round_trip_changes_nothing(client, superuser, stations):
    from import_export.formats.base_formats import XLSX

    client.force_login(superuser)
    response = client.post(
        reverse("admin:stations_station_export"), {"format": "0", "resource": "0", **_all_fields()}
    )
    # Re-saved by a spreadsheet program: a new workbook with the same cells.
    source = load_workbook(io.BytesIO(response.content)).active
    book = Workbook()
    for row in source.iter_rows(values_only=True):
        book.active.append(list(row))
    saved = io.BytesIO()
    book.save(saved)
    result = _preview(client, saved.getvalue(), "stations.xlsx", XLSX).context["result"]
    assert result.totals["skip"] == 3 and result.totals["update"] == 0


def test_codes_and_english_headers_still_import(client, superuser, make_station):
    client.force_login(superuser)
    content = (
        "slug,name,kind,route,district,latitude,longitude,phone,status,published,open_24h\n"
        "new-one,新站,driver_home,G228,gangkou,21.6,108.35,0770-2800002,open,TRUE,1\n"
    ).encode()
    assert _confirm(client, _preview(client, content)).status_code == 302
    station = Station.objects.get(slug="new-one")
    assert station.published and station.open_24h and station.phone == "07702800002"


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "csv"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "xlsx"),
    ],
)
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", "无法读取此文件"), ("/vi", "Không đọc được tệp này")],
)
def test_unreadable_file_is_explained_in_the_users_language(
    client, superuser, name, content, fmt, prefix, expected
):
    from import_export.formats.base_formats import XLSX

    client.force_login(superuser)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        prefix + reverse("admin:stations_station_import"),
        {
            "import_file": upload,
            "format": _format(XLSX if fmt == "xlsx" else ExcelCSV),
            "resource": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert "Error" not in html.split('class="errorlist')[1][:400]


def test_decode_reads_utf8_with_and_without_bom_and_gbk():
    text = "名称,电话\n东兴,0770-2800001\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("gbk")):
        assert decode_text(data).removeprefix("\ufeff") == text


def test_slug_from_chinese_name_is_pinyin_and_unique(make_station):
    assert slug_base("东兴口岸司机之家") == "dong-xing-kou-an-si-ji-zhi-jia"
    make_station(slug="dong-xing-kou-an-si-ji-zhi-jia")
    taken = lambda s: Station.objects.filter(slug=s).exists()  # noqa: E731
    assert slug_unique("东兴口岸司机之家", taken=taken) == "dong-xing-kou-an-si-ji-zhi-jia-2"


def test_admin_makes_the_slug_from_the_name_and_keeps_an_edited_one(client, superuser, db):
    client.force_login(superuser)
    add = reverse("admin:stations_station_add")
    form = client.get(add).content.decode()
    # No prepopulating script: it would drop every Chinese character and leave it empty.
    assert '"dependency_ids"' not in form and "id_slug" in form
    data = {
        "name_zh_hans": "东兴口岸司机之家",
        "slug": "",
        "kind": "driver_home",
        "route": "G228",
        "district": "dongxing",
        "latitude": "21.54",
        "longitude": "107.97",
        "status": "open",
        "amenities-TOTAL_FORMS": "0",
        "amenities-INITIAL_FORMS": "0",
        "opening_hours-TOTAL_FORMS": "0",
        "opening_hours-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    station = Station.objects.get()
    assert station.slug == "dong-xing-kou-an-si-ji-zhi-jia"
    change = reverse("admin:stations_station_change", args=[station.pk])
    response = client.post(change, {**data, "slug": "dongxing-home"})
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.slug == "dongxing-home"


def test_import_from_the_english_admin_writes_the_chinese_texts(client, superuser, stations):
    """Under django-modeltranslation ``name`` is the page language's column: the file's
    texts are the Chinese ones, whatever the language of the admin that imports them."""
    from django.utils import translation

    client.force_login(superuser)
    exported = _export_csv(client)
    changed = exported.replace("企沙货场", "企沙货场（新）")
    with translation.override("en"):
        preview = _preview(client, _excel_rewrite(changed))
        assert "/en/" in preview.wsgi_request.path
        assert _confirm(client, preview).status_code == 302
    station = Station.objects.get(slug="qisha")
    assert station.name_zh_hans == "企沙货场（新）"
    assert station.name_en != "企沙货场（新）"
