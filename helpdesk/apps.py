from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Help requests and micro-wishes")

    def ready(self):
        from stations import extensions

        # "Ask for help here" on every station page, preselecting the station.
        extensions.register_panel("actions", "helpdesk/_station_help_link.html")

        from helpdesk import staff_home

        # The requests to act on, on the staff home.
        staff_home.register()
