from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from events.models import Event
from portal import health, pwa
from portal.lib.phones import tel_uri
from stations.home import home_context as stations_home

# The browser bar and the installed app's title bar: the emergency bar's red.
THEME_COLOR = "#b3261e"

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


@require_safe
def service_worker(request):
    """The service worker, at the site root so its scope is the whole site.

    Never kept by HTTP caches: browsers compare it byte for byte to find a new release.
    """
    response = HttpResponse(pwa.worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_safe
def web_manifest(request):
    """The web app manifest in the page's language: name, start page, icons."""
    manifest = {
        "name": gettext("Driver Home Fangchenggang"),
        "short_name": gettext("Driver Home"),
        "description": gettext(
            "Service stations, help and care for truck drivers in Fangchenggang."
        ),
        "lang": get_language(),
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def offline(request):
    """What the service worker shows when a page cannot be loaded: the emergency line and
    the nearest stations, worked out in the browser from the saved station feed."""
    return render(request, "portal/offline.html", {"feed_url": reverse("stations-feed")})
