"""The GeoJSON feed, outside the language prefix: one URL whatever the language."""

from django.urls import path

from . import views

urlpatterns = [
    path("stations.geojson", views.feed, name="stations-feed"),
    # Every station at once: a download, cached (the map never asks for it).
    path("stations-all.geojson", views.feed_export, name="stations-export"),
]
