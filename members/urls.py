from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/overview/", views.overview, name="overview"),
    path("members/exports/", views.export_jobs, name="export-jobs"),
    path("members/exports/<int:pk>/", views.export_job, name="export-job"),
    path(
        "members/exports/<int:pk>/download/",
        views.export_job_download,
        name="export-job-download",
    ),
    path("members/dossier/<int:pk>/download/", views.dossier_download, name="dossier-download"),
]
