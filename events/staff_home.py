"""The organizers' panel on the staff home: their organisations' coming events."""

from django.utils import timezone

from accounts.permissions import is_organizer
from events.models import Event

# Events listed on the staff home; the staff list has the rest.
SHOWN = 5


def panel_context(request):
    """The next events of the person's organisations, drafts included (two queries)."""
    if not is_organizer(request.user):
        return None
    coming = (
        Event.objects.editable_by(request.user)
        .filter(ends_at__gte=timezone.now())
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )
    return {"events": list(coming[:SHOWN]), "total": coming.count()}


def register() -> None:
    from accounts import staffhome

    staffhome.register_panel(
        "events", template="events/_staff_home.html", context=panel_context, order=20
    )
