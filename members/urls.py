from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/overview/", views.overview, name="overview"),
    path("members/dossier/<int:pk>/download/", views.dossier_download, name="dossier-download"),
]
