from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from accounts import views as account_views

from . import views
from .figures import views as figures

handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # At the root, so the worker's scope is the whole site in every language.
    path("sw.js", views.service_worker, name="service-worker"),
    path("", include("stations.feed_urls")),
    path("", include("crossings.feed_urls")),
    path("", include("open311.urls")),
    path("", include("notices.callback_urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("figures/", figures.figures_page, name="figures"),
    path("staff/report/", figures.report_page, name="report"),
    path("staff/report/report.xlsx", figures.report_xlsx_download, name="report-xlsx"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    path("offline/", views.offline, name="offline"),
    path("", include("stations.urls")),
    path("", include("events.urls")),
    path("", include("crossings.urls")),
    path("", include("helpdesk.urls")),
    path("", include("members.urls")),
    path("", include("notices.urls")),
    path("", include("accounts.urls")),
    # The two-step staff sign-in takes the admin's sign-in address (it comes first).
    path("admin/login/", account_views.sign_in),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
