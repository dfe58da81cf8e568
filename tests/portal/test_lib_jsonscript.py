"""portal.lib.jsonscript: JSON that cannot leave its <script> element."""

import json
import re

import pytest
from django.template import Context, Template

from portal.lib.jsonscript import script_json

NASTY = [
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "<!-- <script>",
    "]]>&amp;<",
    "a\u2028b\u2029c",
    '"\\</script>',
]


@pytest.mark.parametrize("value", NASTY)
def test_script_json_round_trips_and_has_no_markup(value):
    text = script_json({"name": value, "nested": [value]})
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"name": value, "nested": [value]}


def test_script_json_cannot_break_out_of_its_script_element():
    payload = "</script><script>alert(1)</script>"
    html = Template('<script type="application/ld+json">{{ data|safe }}</script>').render(
        Context({"data": script_json({"name": payload})})
    )
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    assert json.loads(scripts[0]) == {"name": payload}
    assert "alert(1)</script>" not in html


def test_script_json_keeps_chinese_and_vietnamese_readable():
    text = script_json({"name": "司机之家 Nhà tài xế", "n": 1, "ok": True, "none": None})
    assert "司机之家 Nhà tài xế" in text
    assert json.loads(text) == {"name": "司机之家 Nhà tài xế", "n": 1, "ok": True, "none": None}
