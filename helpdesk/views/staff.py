"""The dispatcher queue: help requests seen and moved by the staff who hold them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import staff_view
from accounts.twofactor import recently_verified, verify_url
from helpdesk.choices import OPEN_STATES
from helpdesk.forms import staff as forms
from helpdesk.models.requests import HelpRequest
from helpdesk.services import requests as services
from helpdesk.transitions import actions_for
from portal.lib.phones import mask

# Requests per queue page.
QUEUE_PER_PAGE = 50


@staff_view()
@require_safe
def staff_queue(request):
    """The requests the user may handle, a page at a time, with the total: none left out.

    Urgent and overdue open requests first, then by due time (``queue_order``).
    """
    base = HelpRequest.objects.visible_to(request.user)
    form = forms.QueueFilterForm(request.GET or None)
    rows = base.select_related("station", "holder_organisation", "holder_user")
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        state = data["state"]
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
    page = Paginator(rows.queue_order(), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.masked_phone = mask(row.phone)
    # The filters, kept in the page links.
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": page.object_list, "query": query.urlencode()}
    return render(request, "helpdesk/requests/staff_queue.html", context)


def _visible_or_404(request, pk) -> HelpRequest:
    return get_object_or_404(
        HelpRequest.objects.visible_to(request.user).select_related(
            "station", "holder_organisation", "holder_user", "duplicate_of"
        ),
        pk=pk,
    )


@staff_view()
@require_safe
def staff_detail(request, pk):
    help_request = _visible_or_404(request, pk)
    holder = help_request.phone_visible_to(request.user)
    # The full number asks for the second factor again when the last check is old.
    full = holder and recently_verified(request)
    context = {
        "req": help_request,
        "phone": help_request.phone if full else mask(help_request.phone),
        "phone_full": full,
        "phone_step_up_url": verify_url(request, step_up=True) if holder and not full else "",
        "events": help_request.events.select_related("actor", "to_organisation", "to_user"),
        "transfer_form": forms.TransferForm(),
        "follow_up_form": forms.FollowUpForm(),
        "duplicate_form": forms.DuplicateForm(),
        "text_form": forms.TextForm(),
        "actions": actions_for(help_request.state),
    }
    return render(request, "helpdesk/requests/staff_detail.html", context)


# Actions whose one form field is ``text``: the service, and the keyword the text goes to.
TEXT_ACTIONS = {
    "start": (services.help_request_start, "note"),
    "resolve": (services.help_request_resolve, "what_was_done"),
    "close": (services.help_request_close, "note"),
    "not-for-us": (services.help_request_reject, "reason"),
    "withdraw": (services.help_request_withdraw, "reason"),
    "note": (services.help_request_note, "text"),
}


@staff_view()
@require_POST
def staff_action(request, pk, action):
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
        form = forms.TextForm(request.POST)
        service, keyword = TEXT_ACTIONS[action]
        run = lambda data: service(  # noqa: E731
            request=help_request, actor=user, **{keyword: data["text"]}
        )
    else:
        raise Http404
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
    else:
        try:
            run(form.cleaned_data)
        except services.IllegalTransition as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Saved."))
    return redirect("helpdesk:staff-detail", pk=help_request.pk)
