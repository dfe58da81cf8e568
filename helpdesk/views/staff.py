"""The dispatcher queue: help requests seen and moved by the staff who hold them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import staff_view
from accounts.twofactor import recently_verified, verify_url
from helpdesk.choices import OPEN_STATES
from helpdesk.forms import staff as forms
from helpdesk.models.requests import HelpRequest
from helpdesk.services import requests as services
from helpdesk.templatetags.help_times import due_phrase
from helpdesk.transitions import actions_for
from portal.lib.phones import mask

# Requests per queue page.
QUEUE_PER_PAGE = 50


@staff_view()
@require_safe
def staff_queue(request):
    """The requests the user may handle, a page at a time, with the total: none left out.

    What needs action now first (``queue_order``); "mine" keeps only what the user holds.
    The refresh link is this very address (filters and page kept).
    """
    base = HelpRequest.objects.visible_to(request.user)
    form = forms.QueueFilterForm(request.GET or None)
    rows = base.select_related("station", "holder_organisation", "holder_user")
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        state = data["state"]
        if data["mine"]:
            rows = rows.held_by(request.user)
        if data["category"]:
            rows = rows.filter(category=data["category"])
        if data["station"]:
            rows = rows.filter(station=data["station"])
        if data["organisation"]:
            rows = rows.filter(holder_organisation=data["organisation"])
    if state == "all":
        pass
    elif state:
        rows = rows.filter(state=state)
    else:
        rows = rows.filter(state__in=OPEN_STATES)
    now = timezone.now()
    page = Paginator(rows.queue_order(now), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.masked_phone = mask(row.phone)
        row.due_text = due_phrase(row.due_at, now) if row.state in OPEN_STATES else ""
    # The filters, kept in the page links.
    query = request.GET.copy()
    query.pop("page", None)
    mine, everyone = query.copy(), query.copy()
    mine["mine"] = "on"
    everyone.pop("mine", None)
    context = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "query": query.urlencode(),
        "mine_query": mine.urlencode(),
        "everyone_query": everyone.urlencode(),
        "now": now,
        "refresh_url": request.get_full_path(),
    }
    return render(request, "helpdesk/requests/staff_queue.html", context)


def _visible_or_404(request, pk) -> HelpRequest:
    return get_object_or_404(
        HelpRequest.objects.visible_to(request.user).select_related(
            "station", "holder_organisation", "holder_user", "duplicate_of"
        ),
        pk=pk,
    )


def _detail(request, help_request, *, bound=None, open_action="", status=200):
    """Render the request's page; ``bound`` (action → form) keeps what was typed after an
    error, and ``open_action``'s panel is open with its first error in view."""
    holder = help_request.phone_visible_to(request.user)
    # The full number asks for the second factor again when the last check is old.
    full = holder and recently_verified(request)
    bound = bound or {}
    actions = actions_for(help_request.state)
    form = bound.get(open_action)
    if form is not None and open_action not in [*actions, "note"] and form.errors:
        # Someone else moved the request meanwhile: its panel is gone, so say why up top.
        for error in form.non_field_errors():
            messages.error(request, error)
    context = {
        "req": help_request,
        "phone": help_request.phone if full else mask(help_request.phone),
        "phone_full": full,
        "phone_step_up_url": verify_url(request, step_up=True) if holder and not full else "",
        "events": help_request.events.select_related("actor", "to_organisation", "to_user"),
        "transfer_form": bound.get("transfer") or forms.TransferForm(),
        "follow_up_form": bound.get("follow-up") or forms.FollowUpForm(),
        "duplicate_form": bound.get("duplicate") or forms.DuplicateForm(),
        # Keyed with underscores, which templates can read ("not_for_us").
        "text_forms": {
            action.replace("-", "_"): bound.get(action) or _text_form(action)
            for action in TEXT_ACTIONS
        },
        "actions": actions,
        "open_action": open_action,
        "due_text": due_phrase(help_request.due_at) if help_request.state in OPEN_STATES else "",
    }
    return render(request, "helpdesk/requests/staff_detail.html", context, status=status)


@staff_view()
@require_safe
def staff_detail(request, pk):
    return _detail(request, _visible_or_404(request, pk))


# Actions whose one form field is ``text``: the service, the keyword the text goes to, and
# whether the text is required (the form then says so at the field).
TEXT_ACTIONS = {
    "start": (services.help_request_start, "note", False),
    "resolve": (services.help_request_resolve, "what_was_done", True),
    "close": (services.help_request_close, "note", False),
    "not-for-us": (services.help_request_reject, "reason", True),
    "withdraw": (services.help_request_withdraw, "reason", True),
    "note": (services.help_request_note, "text", True),
}


def _text_form(action: str, data=None) -> forms.TextForm:
    """The one-field form of ``action``, with ids of its own and its text required or not."""
    form = forms.TextForm(data, auto_id=f"{action}-%s")
    form.fields["text"].required = TEXT_ACTIONS[action][2]
    return form


# Actions that end or hand over the request: a confirmation step comes first.
CONFIRMED_ACTIONS = {"transfer", "close", "duplicate", "not-for-us", "withdraw"}


def _when(moment) -> str:
    """A deadline as the night shift reads it: "14:30" today, "12-07 14:30" otherwise."""
    if moment is None:
        return "–"
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "m-d H:i")


def _feedback(action: str, req: HelpRequest, data: dict) -> str:
    """Say exactly what happened to which request."""
    values = {"code": req.display_code, "due": _when(req.due_at)}
    if action == "transfer":
        target = data["helper"].display_name if data["helper"] else data["organisation"].name
        return gettext("%(code)s transferred to %(target)s (due %(due)s).") % {
            **values,
            "target": target,
        }
    if action == "follow-up":
        if data["satisfied"]:
            return gettext("%(code)s: the driver is satisfied; it can now be closed.") % values
        return gettext("%(code)s reopened (due %(due)s).") % values
    if action == "duplicate":
        return gettext("%(code)s marked as a duplicate of %(original)s.") % {
            **values,
            "original": data["original"].display_code,
        }
    phrases = {
        "start": gettext("%(code)s: handling started (due %(due)s)."),
        "resolve": gettext("%(code)s resolved: call the driver back by %(due)s."),
        "close": gettext("%(code)s closed."),
        "not-for-us": gettext("%(code)s marked as not for us; it left the queue."),
        "withdraw": gettext("%(code)s marked as withdrawn by the driver; it left the queue."),
        "note": gettext("Note added to %(code)s."),
    }
    return phrases[action] % values


def _confirmation(action: str, req: HelpRequest, data: dict) -> str:
    """The question asked before an action that ends or hands over the request."""
    values = {"code": req.display_code}
    if action == "transfer":
        target = data["helper"].display_name if data["helper"] else data["organisation"].name
        return gettext("Transfer %(code)s to %(target)s?") % {**values, "target": target}
    if action == "duplicate":
        return gettext("Mark %(code)s as a duplicate of %(original)s?") % {
            **values,
            "original": data["original"].display_code,
        }
    questions = {
        "close": gettext("Close %(code)s? The driver will see it as closed."),
        "not-for-us": gettext("Mark %(code)s as not for us? It leaves the queue."),
        "withdraw": gettext("Mark %(code)s as withdrawn by the driver? It leaves the queue."),
    }
    return questions[action] % values


@staff_view()
@require_POST
def staff_action(request, pk, action):
    """Run one workflow action; errors re-render the page with everything typed kept.

    Actions that end or hand over the request ask first (``CONFIRMED_ACTIONS``): the
    confirmation page carries the typed values; "back" returns to the filled-in form.
    """
    help_request = _visible_or_404(request, pk)
    user = request.user
    if action == "transfer":
        form = forms.TransferForm(request.POST)
        run = lambda data: services.help_request_transfer(  # noqa: E731
            request=help_request,
            actor=user,
            organisation=data["organisation"],
            helper=data["helper"],
            note=data["note"],
        )
    elif action == "follow-up":
        form = forms.FollowUpForm(request.POST)
        run = lambda data: services.help_request_follow_up(  # noqa: E731
            request=help_request, actor=user, satisfied=data["satisfied"], note=data["text"]
        )
    elif action == "duplicate":
        form = forms.DuplicateForm(request.POST, user=user)
        run = lambda data: services.help_request_mark_duplicate(  # noqa: E731
            request=help_request, actor=user, original=data["original"], reason=data["text"]
        )
    elif action in TEXT_ACTIONS:
        service, keyword, _required = TEXT_ACTIONS[action]
        form = _text_form(action, request.POST)
        run = lambda data: service(  # noqa: E731
            request=help_request, actor=user, **{keyword: data["text"]}
        )
    else:
        raise Http404
    if not form.is_valid() or "back" in request.POST:
        status = 200 if "back" in request.POST else 400
        return _detail(
            request, help_request, bound={action: form}, open_action=action, status=status
        )
    if action in CONFIRMED_ACTIONS and "confirmed" not in request.POST:
        context = {
            "action_url": reverse("helpdesk:staff-action", args=[help_request.pk, action]),
            "question": _confirmation(action, help_request, form.cleaned_data),
            "fields": [
                (name, value)
                for name, value in request.POST.items()
                if name != "csrfmiddlewaretoken"
            ],
        }
        return render(request, "helpdesk/staff_confirm.html", context)
    try:
        run(form.cleaned_data)
    except services.IllegalTransition as exc:
        form.add_error(None, str(exc))
        return _detail(request, help_request, bound={action: form}, open_action=action, status=400)
    help_request.refresh_from_db()
    messages.success(request, _feedback(action, help_request, form.cleaned_data))
    return redirect("helpdesk:staff-detail", pk=help_request.pk)
