from django import template

from care.models import Event
from care.text import render_plain_text

register = template.Library()


@register.filter
def plain_text(value):
    """Render staff-written plain text as sanitised paragraphs with links."""
    return render_plain_text(value or "")


@register.inclusion_tag("care/events/_station_events.html")
def station_events(station, limit=5):
    """Show the next published events held at ``station`` (one query)."""
    return {
        "station": station,
        "station_events": list(Event.objects.upcoming_at(station).for_display()[:limit]),
    }
