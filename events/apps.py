from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Care events and visits")

    def ready(self):
        from events import stations

        stations.register()

        from events import staff_home

        # The coming events of the organizer's organisations, on the staff home.
        staff_home.register()
