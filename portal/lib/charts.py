"""Bar charts drawn on the server as SVG geometry: no chart script on public pages.

``bar_chart`` turns labelled values into rectangles in a fixed view box; the template
(``templates/portal/_bar_chart.html``) writes them into an ``<svg role="img">`` with a
``<title>``, beside a table of the same numbers. The view box scales to any width, so the
chart reads on a 360 px phone.
"""

from typing import Any

WIDTH = 320
HEIGHT = 140
TOP = 14
BOTTOM = 18  # room for the month labels


def _nice_max(value: int) -> int:
    """Round ``value`` up to 1, 2 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= factor * step:
                return factor * step
        step *= 10


def bar_chart(rows: list[dict[str, Any]], *, label: str = "month", value: str = "value") -> dict:
    """Return the view box, the bars and the axis maximum for ``rows``.

    Each bar carries its label, its value and its rectangle; labels are shortened to the
    last two characters ("2026-03" → "03") under the bar.
    """
    top = _nice_max(max((int(row[value]) for row in rows), default=0))
    plot = HEIGHT - TOP - BOTTOM
    slot = WIDTH / max(len(rows), 1)
    bars = []
    for index, row in enumerate(rows):
        amount = int(row[value])
        height = round(plot * amount / top, 1)
        x = round(index * slot + slot * 0.15, 1)
        bars.append(
            {
                "label": row[label],
                "short": str(row[label])[-2:],
                "value": amount,
                "x": x,
                "y": round(TOP + plot - height, 1),
                "width": round(slot * 0.7, 1),
                "height": height,
                "text_x": round(index * slot + slot / 2, 1),
                "value_y": round(TOP + plot - height - 3, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": TOP + plot,
        "label_y": HEIGHT - 5,
        "max": top,
        "bars": bars,
    }
