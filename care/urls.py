from django.urls import path

from . import feeds_events, views_events, views_help, views_wishes

app_name = "care"

urlpatterns = [
    # Care events (public)
    path("events/", views_events.event_list, name="event-list"),
    path("events/<int:pk>/", views_events.event_detail, name="event-detail"),
    path("events/<int:pk>/event.ics", views_events.event_ics, name="event-ics"),
    path("events.ics", views_events.events_ics, name="events-ics"),
    path("events/feed/", feeds_events.EventsFeed(), name="event-feed"),
    path("events/feed/atom/", feeds_events.EventsAtomFeed(), name="event-feed-atom"),
    # Care events and visits (organizers)
    path("staff/events/", views_events.staff_event_list, name="staff-event-list"),
    path("staff/events/new/", views_events.staff_event_edit, name="staff-event-new"),
    path("staff/events/<int:pk>/", views_events.staff_event_edit, name="staff-event-edit"),
    path(
        "staff/events/<int:pk>/publish/",
        views_events.staff_event_publish,
        name="staff-event-publish",
    ),
    path(
        "staff/events/<int:pk>/cancel/", views_events.staff_event_cancel, name="staff-event-cancel"
    ),
    path(
        "staff/events/<int:pk>/report/", views_events.staff_event_report, name="staff-event-report"
    ),
    path("staff/visits/", views_events.staff_visit_list, name="staff-visit-list"),
    path("staff/visits/new/", views_events.staff_visit_edit, name="staff-visit-new"),
    path("staff/visits/<int:pk>/", views_events.staff_visit_edit, name="staff-visit-edit"),
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
