"""Open311 responses in JSON or XML, with the element names of the GeoReport v2 spec."""

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    """Add ``value`` under ``parent`` as ``<tag>``; lists of dicts become repeated children.

    A list under ``attributes`` holds ``<attribute>`` elements, under ``values`` ``<value>``
    elements, as the spec's service definition shows.
    """
    element = ET.SubElement(parent, tag)
    if isinstance(value, list):
        child_tag = {"attributes": "attribute", "values": "value"}.get(tag, "item")
        for item in value:
            _dict_into(ET.SubElement(element, child_tag), item)
    elif isinstance(value, dict):
        _dict_into(element, value)
    else:
        element.text = _text(value)


def _dict_into(element: ET.Element, data: dict) -> None:
    for key, value in data.items():
        _append(element, key, value)


def respond(
    fmt: str, payload: Any, *, root: str = "", item: str = "", status: int = 200
) -> HttpResponse:
    """Answer ``payload`` (a list of dicts under ``root``/``item``, or one dict as ``root``)."""
    if fmt == "xml":
        element = ET.Element(root)
        if isinstance(payload, list):
            for entry in payload:
                _dict_into(ET.SubElement(element, item), entry)
        else:
            _dict_into(element, payload)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
    else:
        body = json.dumps(payload, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error list: ``[{"code": 400, "description": "…"}]`` or ``<errors>``."""
    return respond(
        fmt,
        [{"code": status, "description": str(description)}],
        root="errors",
        item="error",
        status=status,
    )
