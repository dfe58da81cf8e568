from django.urls import path

from .views import requests, staff, wishes

app_name = "helpdesk"

urlpatterns = [
    path("help/", requests.help_form, name="form"),
    path("help/sent/", requests.help_sent, name="sent"),
    path("help/track/", requests.help_track, name="track"),
    path("help/privacy/", requests.help_privacy, name="privacy"),
    path("help/figures/", requests.help_figures_page, name="figures"),
    path("wishes/", wishes.wish_wall, name="wishes"),
    path("staff/help/", staff.staff_queue, name="staff-queue"),
    path("staff/help/<int:pk>/", staff.staff_detail, name="staff-detail"),
    path("staff/help/<int:pk>/<slug:action>/", staff.staff_action, name="staff-action"),
    path("staff/wishes/", wishes.staff_wishes, name="staff-wishes"),
    path(
        "staff/wishes/<int:pk>/<slug:action>/", wishes.staff_wish_action, name="staff-wish-action"
    ),
]
