"""Staff pages for member records: the officers' overview and dossier downloads.

Both go through the gatekeeper; anyone outside it gets a 404, never a hint.
"""

from datetime import timedelta

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import Organisation
from accounts.permissions import is_records_officer, staff_view

from . import services
from .models import AccessLog, DossierEntry, Enterprise
from .overview import QUIET_DAYS, organisation_overview


# Not ``staff_view``: a download link is never a page to sign in for, so anyone outside the
# gatekeeper (anonymous included) gets the same 404 as for a missing document.
@never_cache
@require_safe
def dossier_download(request, pk: int):
    """Send one dossier document as an attachment, if the user may see that dossier."""
    entry = get_object_or_404(
        DossierEntry.objects.visible_to(request.user).filter(kind=DossierEntry.Kind.DOCUMENT),
        pk=pk,
    )
    try:
        handle = entry.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    services.access_log_record(user=request.user, action=AccessLog.Action.DOWNLOAD, model=entry)
    response = FileResponse(
        handle, as_attachment=True, filename=entry.download_name, content_type=entry.media_type
    )
    response["Cache-Control"] = "no-store, private"
    return response


@staff_view(is_records_officer)
@require_safe
def overview(request):
    """Counts and lists per organisation in the officer's scope; no scores, no rankings."""
    sections = organisation_overview(request.user)
    # Liaison duty: enterprises in scope with no committee contact in QUIET_DAYS (or ever).
    since = timezone.localdate() - timedelta(days=QUIET_DAYS)
    quiet_enterprises = (
        Enterprise.objects.visible_to(request.user)
        .without_duty_contact_since(since)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    services.access_log_record(
        user=request.user, action=AccessLog.Action.OVERVIEW, model=Organisation
    )
    return render(
        request,
        "members/overview.html",
        {
            "sections": sections,
            "quiet_enterprises": list(quiet_enterprises),
            "quiet_days": QUIET_DAYS,
        },
    )
