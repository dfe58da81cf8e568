from django.urls import path

from . import feeds
from .views import public, staff

app_name = "events"

urlpatterns = [
    path("events/", public.event_list, name="list"),
    path("events/<int:pk>/", public.event_detail, name="detail"),
    path("events/<int:pk>/event.ics", public.event_ics, name="ics"),
    path("events.ics", public.events_ics, name="calendar"),
    path("events/feed/", feeds.EventsFeed(), name="feed"),
    path("events/feed/atom/", feeds.EventsAtomFeed(), name="feed-atom"),
    path("staff/events/", staff.staff_event_list, name="staff-list"),
    path("staff/events/new/", staff.staff_event_edit, name="staff-new"),
    path("staff/events/<int:pk>/", staff.staff_event_edit, name="staff-edit"),
    path("staff/events/<int:pk>/publish/", staff.staff_event_publish, name="staff-publish"),
    path("staff/events/<int:pk>/cancel/", staff.staff_event_cancel, name="staff-cancel"),
    path("staff/events/<int:pk>/postpone/", staff.staff_event_postpone, name="staff-postpone"),
    path("staff/events/<int:pk>/report/", staff.staff_event_report, name="staff-report"),
    path("staff/visits/", staff.staff_visit_list, name="staff-visits"),
    path("staff/visits/new/", staff.staff_visit_edit, name="staff-visit-new"),
    path("staff/visits/<int:pk>/", staff.staff_visit_edit, name="staff-visit-edit"),
]
