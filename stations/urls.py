from django.urls import path

from . import ahead, views

app_name = "stations"

urlpatterns = [
    path("stations/", views.station_list, name="list"),
    path("stations/nearby/", views.nearby, name="nearby"),
    path("stations/map/", views.station_map, name="map"),
    path("stations/ahead/", ahead.ahead, name="ahead"),
    path("stations/<slug:slug>/", views.detail, name="detail"),
]
