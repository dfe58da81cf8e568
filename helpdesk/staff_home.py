"""The help desk's panel on the staff home: the open requests someone must act on."""

from django.db.models import Count, Q
from django.utils import timezone

from accounts.permissions import can_take_help_requests, is_help_handler
from helpdesk.models.requests import HelpRequest
from helpdesk.querysets import ACTION_STATES, is_desk
from helpdesk.templatetags.help_times import due_phrase

# Requests listed on the staff home; the queue has the rest.
SHOWN = 5


def panel_context(request):
    """The requests the person holds (the desk: every one) that need action now, first five
    in queue order, with how many there are and how many are overdue. Two queries."""
    user = request.user
    desk = is_desk(user)
    if not (desk or is_help_handler(user) or can_take_help_requests(user)):
        return None
    now = timezone.now()
    rows = HelpRequest.objects.visible_to(user).filter(state__in=ACTION_STATES)
    totals = rows.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    shown = list(rows.select_related("station").queue_order(now)[:SHOWN])
    for row in shown:
        row.due_text = due_phrase(row.due_at, now)
    return {"rows": shown, "totals": totals, "desk": desk}


def register() -> None:
    from accounts import staffhome

    staffhome.register_panel(
        "helpdesk", template="helpdesk/_staff_home.html", context=panel_context, order=10
    )
