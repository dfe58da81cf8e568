"""Benchmark-only URLs: the whole site plus a bare view under the same middleware.

Never part of the public site: only bench/settings.py points here.
"""

from django.http import HttpResponse
from django.urls import path

from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
