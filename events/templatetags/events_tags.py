from django import template

from portal.lib.text import render_plain_text

register = template.Library()


@register.filter
def plain_text(value):
    """Render staff-written plain text as sanitised paragraphs with links."""
    return render_plain_text(value or "")
