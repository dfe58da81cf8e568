"""``{% load crossing_tags %}``: a notice's age, and whether it is old."""

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def stale(notice, now=None):
    """``{% if notice|stale:now %}``: the notice is older than its configured age."""
    return notice.is_stale(now)


@register.filter
def age(notice, now=None):
    """ "25 min ago", "3 h ago", "2 days ago": short, in the page's language.

    Django's ``timesince`` has no Vietnamese and would fall back to Chinese on /vi/.
    """
    minutes = max(0, int(notice.age(now).total_seconds() // 60))
    if minutes < 60:
        return gettext("%(count)s min ago") % {"count": minutes}
    if minutes < 48 * 60:
        return gettext("%(count)s h ago") % {"count": minutes // 60}
    days = minutes // (24 * 60)
    return ngettext("%(count)s day ago", "%(count)s days ago", days) % {"count": days}
