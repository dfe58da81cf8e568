from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.permissions import can_post_crossing_notice, staff_view

from . import feeds, services
from .forms import NoticeForm
from .models import Crossing

LANGUAGES = ("zh-hans", "en", "vi")


@require_safe
def crossing_list(request):
    """/border/: every crossing, its hours on both clocks and its latest notice with its age."""
    crossings = list(Crossing.objects.published().with_recent_notices())
    context = {"crossings": crossings, "now": timezone.now()}
    return render(request, "crossings/list.html", context)


@require_safe
def crossing_detail(request, slug):
    crossing = get_object_or_404(Crossing.objects.published().with_recent_notices(), slug=slug)
    context = {
        "crossing": crossing,
        "notices": crossing.recent_notices,
        "now": timezone.now(),
        "can_post": can_post_crossing_notice(request.user),
    }
    return render(request, "crossings/detail.html", context)


@require_safe
def crossing_feed(request):
    """The crossings as GeoJSON; ``lang`` (zh-hans, en, vi) picks the language, Chinese else."""
    language = request.GET.get("lang") or "zh-hans"
    if language not in LANGUAGES:
        return HttpResponse(
            '{"errors": {"lang": "zh-hans, en or vi"}}',
            status=400,
            content_type="application/json",
        )
    crossings = Crossing.objects.published().with_recent_notices(days=2)
    body = feeds.feature_collection(crossings, language=language)
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=60"
    return response


@staff_view(can_post_crossing_notice)
def notice_post(request, slug):
    """Post a status notice from a phone: one short form, every language at once."""
    crossing = get_object_or_404(Crossing.objects.published(), slug=slug)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.crossing_notice_post(crossing=crossing, texts=form.cleaned_data, user=request.user)
        messages.success(request, _("Notice posted."))
        return redirect(crossing.get_absolute_url())
    return render(request, "crossings/notice_form.html", {"form": form, "crossing": crossing})
