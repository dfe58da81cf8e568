from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrossingsConfig(AppConfig):
    name = "crossings"
    verbose_name = _("Border crossings")

    def ready(self):
        from stations import extensions

        # The station map draws the crossings from this feed, with their own markers.
        extensions.register_map_layer("crossings", "crossings-feed")
