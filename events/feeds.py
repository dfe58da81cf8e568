"""RSS and Atom feeds of published care events (Django's syndication framework)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.models import Event

FEED_LIMIT = 50


class EventsFeed(Feed):
    title = _("Driver Home care events")
    description = _("Care events, training and lessons for truck drivers in Fangchenggang.")

    def link(self):
        return reverse("events:list")

    def items(self):
        return list(
            Event.objects.in_feed().for_display().order_by("-starts_at", "-pk")[:FEED_LIMIT]
        )

    def item_title(self, item):
        return item.status_title

    def item_description(self, item):
        when = date_format(item.local_starts_at, "DATETIME_FORMAT")
        parts = [f"{when} · {item.venue_name}"]
        if item.postponement:
            parts.append(item.postponement)
        if item.status_note:
            parts.append(item.status_note)
        if item.description:
            parts.append(item.description)
        # The syndication framework escapes this: the feed carries plain text only.
        return "\n\n".join(parts)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]

    def item_author_name(self, item):
        return item.organisation.name


class EventsAtomFeed(EventsFeed):
    feed_type = Atom1Feed
    subtitle = EventsFeed.description
