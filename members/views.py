"""Staff pages for member records: the officers' overview and dossier downloads.

Both go through the gatekeeper; anyone outside it gets a 404, never a hint.
"""

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Organisation
from accounts.permissions import is_records_officer, staff_view
from accounts.twofactor import step_up_response

from . import exports, services
from .models import AccessLog, DossierEntry, Enterprise, ExportJob
from .overview import QUIET_DAYS, organisation_overview, quiet_members

# Members with no recent liaison contact listed per overview page.
QUIET_PER_PAGE = 100


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
    """Counts per organisation in the officer's scope, then the quiet members page by page.

    No scores, no rankings. The figures are a handful of grouped queries; the list of
    members with no recent contact is paginated (it reaches thousands at the city's scale).
    """
    sections = organisation_overview(request.user)
    names = {s.organisation.pk: s.organisation.name for s in sections}
    page = Paginator(quiet_members(request.user), QUIET_PER_PAGE).get_page(request.GET.get("page"))
    for member in page.object_list:
        member["organisation_name"] = names.get(member["organisation"], "")
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
    context = {
        "sections": sections,
        "quiet": page,
        "quiet_enterprises": list(quiet_enterprises),
        "quiet_days": QUIET_DAYS,
    }
    return render(request, "members/overview.html", context)


def _export_job_or_404(request, pk: int) -> ExportJob:
    return get_object_or_404(
        ExportJob.objects.visible_to(request.user).select_related("requested_by"), pk=pk
    )


@staff_view(is_records_officer)
@require_safe
def export_jobs(request):
    """The officer's own export jobs, newest first."""
    jobs = ExportJob.objects.visible_to(request.user)[:50]
    return render(request, "members/export_jobs.html", {"jobs": jobs})


@staff_view(is_records_officer)
@require_safe
def export_job(request, pk: int):
    """One export job's progress; once ready, the one-time download button."""
    job = _export_job_or_404(request, pk)
    return render(request, "members/export_job.html", {"job": job})


@staff_view(is_records_officer)
@require_POST
def export_job_download(request, pk: int):
    """Send a finished export to its requester, once, before it expires; else 404."""
    job = _export_job_or_404(request, pk)
    # The file is the export: a stale second factor is asked for again, back to the job page.
    refusal = step_up_response(request, next_url=reverse("members:export-job", args=[job.pk]))
    if refusal is not None:
        return refusal
    handle = exports.export_job_fetch(job=job, user=request.user)
    if handle is None:
        raise Http404
    content_type = (
        "text/csv"
        if job.format == ExportJob.Format.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=job.download_name, content_type=content_type
    )
    response["Cache-Control"] = "no-store, private"
    return response
