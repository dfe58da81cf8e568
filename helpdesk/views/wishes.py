"""Micro-wishes: the public wish box and wall, and the staff review page."""

import re

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Organisation
from accounts.permissions import staff_view
from helpdesk.forms.wishes import WishForm
from helpdesk.models.wishes import Wish
from helpdesk.services import wishes as services
from helpdesk.services.requests import IllegalTransition
from portal.lib.net import client_ip
from portal.lib.phones import mask
from portal.lib.ratelimit import take


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def wish_wall(request):
    status = 200
    limited = False
    if request.method == "POST":
        form = WishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            exists = Wish.objects.filter(form_token=data["token"]).exists()
            if not exists and not take("wish-ip", client_ip(request), settings.HELP_RATE_PER_IP):
                limited, status = True, 429
            else:
                services.wish_submit(
                    form_token=data["token"],
                    text=data["text"].strip(),
                    surname=data["surname"],
                    road=data["road"],
                    phone=data["phone"],
                )
                messages.success(
                    request,
                    gettext(
                        "Thank you. Your wish will appear on the wall once staff have read it."
                    ),
                )
                return redirect("helpdesk:wishes")
    else:
        form = WishForm()
    page = Paginator(Wish.objects.public().select_related("claimed_by_organisation"), 30).get_page(
        request.GET.get("page") if str(request.GET.get("page", "")).isdigit() else 1
    )
    return render(
        request,
        "helpdesk/wishes/wall.html",
        {"form": form, "page": page, "limited": limited},
        status=status,
    )


def _staff_wishes(request):
    return Wish.objects.visible_to(request.user)


@staff_view()
@require_safe
def staff_wishes(request):
    rows = list(
        _staff_wishes(request)
        .filter(rejected=False)
        .select_related("claimed_by_organisation")[:200]
    )
    for row in rows:
        row.masked_phone = mask(row.phone)
    return render(
        request,
        "helpdesk/wishes/staff.html",
        {"rows": rows, "organisations": Organisation.objects.all()},
    )


@staff_view()
@require_POST
def staff_wish_action(request, pk, action):
    wish = get_object_or_404(_staff_wishes(request), pk=pk)
    user = request.user
    short = Truncator(wish.text).chars(20)
    if action == "reject" and "confirmed" not in request.POST:
        # Rejecting takes a wish off the public wall: ask first.
        question = gettext("Reject the wish “%(wish)s”? It will not be shown on the wall.")
        return render(
            request,
            "helpdesk/staff_confirm.html",
            {
                "question": question % {"wish": short},
                "action_url": reverse("helpdesk:staff-wish-action", args=[wish.pk, "reject"]),
                "confirm_label": gettext("Reject"),
                "back_url": reverse("helpdesk:staff-wishes"),
            },
        )
    try:
        if action == "approve":
            services.wish_approve(wish=wish, actor=user)
        elif action == "reject":
            services.wish_reject(wish=wish, actor=user)
        elif action == "claim":
            org_id = request.POST.get("organisation", "")
            # str.isdigit() accepts "²", which int() refuses: only ASCII digits here.
            organisation = (
                Organisation.objects.filter(pk=int(org_id)).first()
                if re.fullmatch(r"[0-9]{1,18}", org_id)
                else None
            )
            services.wish_claim(
                wish=wish,
                actor=user,
                organisation=organisation,
                volunteer=request.POST.get("volunteer", "")[:50].replace("\x00", ""),
            )
        elif action == "fulfil":
            services.wish_fulfil(
                wish=wish,
                actor=user,
                thank_you=request.POST.get("thank_you", "")[:200].replace("\x00", ""),
                thank_you_en=request.POST.get("thank_you_en", "")[:200].replace("\x00", ""),
                thank_you_vi=request.POST.get("thank_you_vi", "")[:200].replace("\x00", ""),
            )
        else:
            raise Http404
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "approve": gettext("The wish “%(wish)s” is approved and shown on the wall."),
            "reject": gettext("The wish “%(wish)s” is rejected; it is not shown on the wall."),
            "claim": gettext("The wish “%(wish)s” is claimed."),
            "fulfil": gettext("The wish “%(wish)s” is marked fulfilled."),
        }
        messages.success(request, done[action] % {"wish": short})
    return redirect("helpdesk:staff-wishes")
