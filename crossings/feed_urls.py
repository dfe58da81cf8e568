"""The crossings' GeoJSON feed, outside the language prefix (``lang`` picks the language)."""

from django.urls import path

from . import views

urlpatterns = [path("crossings.geojson", views.crossing_feed, name="crossings-feed")]
