"""The GeoJSON feed, outside the language prefix: one URL whatever the language."""

from django.urls import path

from . import views

urlpatterns = [
    path("stations.geojson", views.feed, name="stations-feed"),
]
