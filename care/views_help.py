"""Help requests: the public form and tracking page, and the dispatcher queue."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.net import client_ip
from portal.phones import mask
from stations.models import Station

from . import forms_help as forms
from . import services_help as services
from .figures_help import help_figures
from .models.help import OPEN_STATES, HelpEvent, HelpRequest, State, covered_organisation_ids
from .ratelimit import take, would_allow

Kind = HelpEvent.Kind

# What a driver reads on the tracking page; staff names, notes and reasons never appear.
PUBLIC_STEPS = {
    Kind.RECEIVED: _("Received"),
    Kind.TRANSFERRED: _("Passed to a helper"),
    Kind.ESCALATED: _("Passed to a higher level"),
    Kind.STARTED: _("Being handled"),
    Kind.RESOLVED: _("Solved"),
    Kind.FOLLOWED_UP: _("Called back"),
    Kind.REOPENED: _("Called back; being handled again"),
    Kind.CLOSED: pgettext_lazy("help request state", "Closed"),
    Kind.DUPLICATE: _("Joined with an earlier request about the same problem"),
    Kind.NOT_FOR_US: _("Outside this service; we will tell you where to turn"),
    Kind.WITHDRAWN: _("Withdrawn"),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def help_form(request):
    if request.method == "POST":
        form = forms.HelpRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            existing = HelpRequest.objects.filter(form_token=data["token"]).first()
            if existing is None:
                limited = _limited(request, data["phone"])
                if limited:
                    return render(
                        request,
                        "care/help/form.html",
                        {"form": form, "limited": limited},
                        status=429,
                    )
                existing, _created = services.help_request_submit(
                    form_token=data["token"],
                    category=data["category"],
                    description=data["description"].strip(),
                    phone=data["phone"],
                    name=data["name"].strip(),
                    station=data["station"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    location_text=data["location_text"].strip(),
                    urgent=data["urgent"],
                )
            request.session["help_code"] = existing.code
            return redirect("care:help-sent")
    else:
        initial = {}
        slug = forms.valid_slug(request.GET.get("station"))
        if slug and Station.objects.published().filter(slug=slug).exists():
            initial["station"] = slug
        form = forms.HelpRequestForm(initial=initial)
    return render(request, "care/help/form.html", {"form": form})


def _limited(request, phone: str) -> str:
    """Take a slot of each limit; return the message to show when one is used up."""
    if not take("help-ip", client_ip(request), settings.HELP_RATE_PER_IP):
        return gettext(
            "Many requests were sent from this network just now. Please call the rescue line."
        )
    if not take("help-phone", phone, settings.HELP_RATE_PER_PHONE):
        return gettext(
            "This phone number has sent several requests today. Please call the rescue line."
        )
    return ""


@never_cache
@require_safe
def help_sent(request):
    code = request.session.get("help_code") or ""
    display = f"{code[:4]}-{code[4:]}" if code else ""
    return render(request, "care/help/sent.html", {"display_code": display})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def help_track(request):
    context = {}
    status = 200
    if request.method == "POST":
        form = forms.TrackForm(request.POST)
        if not take("help-track", client_ip(request), settings.HELP_TRACK_RATE_PER_IP):
            context["limited"] = True
            status = 429
        elif form.is_valid():
            code = services.code_normalize(form.cleaned_data["code"])
            # Failed tries are also counted per code, so a code overheard on the phone
            # cannot be paired with all 10,000 endings from many addresses.
            if code and not would_allow("help-track-code", code, settings.HELP_TRACK_RATE_PER_CODE):
                context["limited"] = True
                status = 429
            else:
                found = HelpRequest.objects.filter(code=code).first() if code else None
                if found is not None and found.phone.endswith(form.cleaned_data["last4"]):
                    context["found"] = found
                    context["steps"] = [
                        {"label": PUBLIC_STEPS[event.kind], "at": event.created_at}
                        for event in found.events.exclude(kind=Kind.NOTE)
                        if event.kind in PUBLIC_STEPS
                    ]
                else:
                    if code:
                        take("help-track-code", code, settings.HELP_TRACK_RATE_PER_CODE)
                    context["not_found"] = True
    else:
        form = forms.TrackForm()
    context["form"] = form
    return render(request, "care/help/track.html", context, status=status)


@require_safe
def help_privacy(request):
    return render(request, "care/help/privacy.html")


@require_safe
def help_figures_page(request):
    return render(request, "care/help/figures.html", {"figures": help_figures()})


# --- Staff ------------------------------------------------------------------------------


def can_see_full_phone(user, help_request: HelpRequest) -> bool:
    """Only the holder sees the full callback phone: the named helper, staff of the holding
    organisation, or the dispatch desk while it holds the request (before transfer and
    for the follow-up call)."""
    if help_request.holder_user_id == user.pk:
        return True
    if help_request.holder_organisation_id in covered_organisation_ids(user):
        return True
    from .models.help import is_dispatcher

    return is_dispatcher(user) and help_request.state in (
        State.RECEIVED,
        State.RESOLVED,
    )


@login_required
@require_safe
def staff_queue(request):
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
    rows = list(rows.queue_order()[:200])
    for row in rows:
        row.masked_phone = mask(row.phone)
    return render(request, "care/help/staff_queue.html", {"form": form, "rows": rows})


def _visible_or_404(request, pk) -> HelpRequest:
    return get_object_or_404(
        HelpRequest.objects.visible_to(request.user).select_related(
            "station", "holder_organisation", "holder_user", "duplicate_of"
        ),
        pk=pk,
    )


@login_required
@require_safe
def staff_detail(request, pk):
    help_request = _visible_or_404(request, pk)
    full = can_see_full_phone(request.user, help_request)
    context = {
        "req": help_request,
        "phone": help_request.phone if full else mask(help_request.phone),
        "phone_full": full,
        "events": help_request.events.select_related("actor", "to_organisation", "to_user"),
        "transfer_form": forms.TransferForm(),
        "follow_up_form": forms.FollowUpForm(),
        "duplicate_form": forms.DuplicateForm(),
        "text_form": forms.TextForm(),
        "actions": _actions_for(help_request),
    }
    return render(request, "care/help/staff_detail.html", context)


def _actions_for(help_request: HelpRequest) -> list[str]:
    state = help_request.state
    actions = []
    if state in services.ACTIVE:
        actions.append("transfer")
    if state in (State.TRANSFERRED, State.REOPENED):
        actions.append("start")
    if state in (State.TRANSFERRED, State.IN_PROGRESS):
        actions.append("resolve")
    if state == State.RESOLVED:
        actions.append("follow-up")
    if state == State.FOLLOWED_UP:
        actions.append("close")
    if state in services.ACTIVE:
        actions += ["duplicate", "not-for-us", "withdraw"]
    return actions


ACTIONS = {
    "start": lambda req, user, data: services.help_request_start(
        request=req, actor=user, note=data["text"]
    ),
    "resolve": lambda req, user, data: services.help_request_resolve(
        request=req, actor=user, what_was_done=data["text"]
    ),
    "close": lambda req, user, data: services.help_request_close(
        request=req, actor=user, note=data["text"]
    ),
    "not-for-us": lambda req, user, data: services.help_request_reject(
        request=req, actor=user, reason=data["text"]
    ),
    "withdraw": lambda req, user, data: services.help_request_withdraw(
        request=req, actor=user, reason=data["text"]
    ),
    "note": lambda req, user, data: services.help_request_note(
        request=req, actor=user, text=data["text"]
    ),
}


@login_required
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
    elif action in ACTIONS:
        form = forms.TextForm(request.POST)
        run = lambda data: ACTIONS[action](help_request, user, data)  # noqa: E731
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
    return redirect("care:staff-help-detail", pk=help_request.pk)
