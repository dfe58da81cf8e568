"""JSON for a ``<script>`` element (JSON-LD): nothing inside can end or open a tag."""

import json
from typing import Any

# Escaped as JSON \u sequences, which every JSON parser reads back as the same characters:
# < and > so "</script>" and "<!--" cannot appear, & for good measure (XHTML, entities),
# U+2028 and U+2029 because older JavaScript engines end a line there.
SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: Any) -> str:
    """Dump ``data`` as JSON that is safe inside ``<script type="application/ld+json">``.

    Chinese and Vietnamese text stays readable (``ensure_ascii=False``); only the
    characters that could break out of the element are escaped. The result still needs
    ``mark_safe`` to go into a template unescaped.
    """
    return json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES)
