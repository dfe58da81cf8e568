from django.urls import path

from . import ahead, console, corrections, reports, views

app_name = "stations"

urlpatterns = [
    path("stations/", views.station_list, name="list"),
    path("stations/nearby/", views.nearby, name="nearby"),
    path("stations/map/", views.station_map, name="map"),
    path("stations/ahead/", ahead.ahead, name="ahead"),
    path("stations/<slug:slug>/", views.detail, name="detail"),
    path("stations/<slug:slug>/parking/", reports.parking_report, name="parking-report"),
    path("stations/<slug:slug>/correct/", corrections.correction_form, name="correction"),
    path("staff/stations/", console.console_list, name="console"),
    path(
        "staff/stations/corrections/<int:pk>/<slug:action>/",
        corrections.correction_action,
        name="correction-action",
    ),
    path("staff/stations/<slug:slug>/", console.console_station, name="console-station"),
    path(
        "staff/stations/<slug:slug>/<slug:action>/",
        console.console_action,
        name="console-action",
    ),
]
