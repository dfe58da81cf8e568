from django.conf import settings
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from events.models import Event
from portal import health
from portal.lib.phones import tel_uri
from stations.home import home_context as stations_home

# Events on the home page: the next few, in one query.
HOME_EVENTS = 3


@require_safe
def home(request):
    upcoming = list(Event.objects.upcoming().for_display()[:HOME_EVENTS])
    return render(
        request,
        "portal/home.html",
        {"upcoming_events": upcoming, **stations_home()},
    )


@never_cache
@require_safe
def healthz(request):
    """Answer 200 when every check passes, else 503 naming the failing checks.

    The body says which check failed ("database", "migrations", "cache", "storage"), never
    why: causes go to the log.
    """
    results = health.run_checks()
    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "error" if failing else "ok", **results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def server_error(request):
    """Render the translated 500 page without touching the database or the request context."""
    template = loader.get_template("500.html")
    phone = settings.EMERGENCY_PHONE
    context = {
        "emergency_phone": phone,
        "emergency_tel": tel_uri(phone),
    }
    return HttpResponseServerError(template.render(context))
