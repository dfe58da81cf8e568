"""portal.lib.text: staff plain text in, sanitised HTML out."""

import pytest
from django.core.exceptions import ValidationError

from portal.lib.text import render_plain_text, validate_plain_text


@pytest.mark.parametrize(
    "value",
    [
        "第一段\n\n第二段",
        "a <3 and 5> 2",
        "1<2",
        "见 https://example.cn/a?b=1&c=2",
        "Tab\there, CRLF\r\nthere",
        "",
    ],
)
def test_plain_text_is_accepted(value):
    validate_plain_text(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("<script>alert(1)</script>", "markup"),
        ("<b>粗</b>", "markup"),
        ("</p>", "markup"),
        ("< img src=x onerror=alert(1)>", "markup"),
        ("<!-- hidden -->", "markup"),
        ("<?php ?>", "markup"),
        ("zero\x00byte", "control"),
        ("bell\x07", "control"),
        ("del\x7f", "control"),
    ],
)
def test_markup_and_control_characters_are_refused(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_plain_text(value)
    assert excinfo.value.code == code


def test_render_makes_paragraphs_and_links():
    html = render_plain_text("第一段\n\n详情见 https://example.cn/a")
    assert html.count("<p>") == 2
    assert '<a href="https://example.cn/a"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_render_escapes_markup_written_around_the_forms():
    html = render_plain_text('<script>alert(1)</script> <a href="javascript:x">x</a>')
    assert "<script" not in html
    assert '<a href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_render_of_nothing_is_empty():
    assert render_plain_text("") == ""
    assert render_plain_text(None) == ""
