from django.urls import path

from . import views_help, views_wishes

app_name = "care"

urlpatterns = [
    path("help/", views_help.help_form, name="help"),
    path("help/sent/", views_help.help_sent, name="help-sent"),
    path("help/track/", views_help.help_track, name="help-track"),
    path("help/privacy/", views_help.help_privacy, name="help-privacy"),
    path("help/figures/", views_help.help_figures_page, name="help-figures"),
    path("wishes/", views_wishes.wish_wall, name="wishes"),
    path("staff/help/", views_help.staff_queue, name="staff-help"),
    path("staff/help/<int:pk>/", views_help.staff_detail, name="staff-help-detail"),
    path(
        "staff/help/<int:pk>/<slug:action>/",
        views_help.staff_action,
        name="staff-help-action",
    ),
    path("staff/wishes/", views_wishes.staff_wishes, name="staff-wishes"),
    path(
        "staff/wishes/<int:pk>/<slug:action>/",
        views_wishes.staff_wish_action,
        name="staff-wish-action",
    ),
]
