from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# django-leaflet's admin module imports GeoDjango, which needs GDAL; we use its template
# tags only, so its admin module is never loaded.
# django-otp's device admins would show authenticator secrets and let a device be changed
# without the log: second factors are reset from the staff account admin instead.
ADMIN_MODULES_SKIPPED = {"leaflet", "otp_totp", "otp_static"}


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # What django.contrib.admin's autodiscover does, minus the modules above.
        for app_config in apps.get_app_configs():
            if app_config.label in ADMIN_MODULES_SKIPPED:
                continue
            module = f"{app_config.name}.admin"
            if find_spec(module) is not None:
                import_module(module)
        self._invalidate_figures_on_change()
        from . import staff_home

        # The station manager's stations and the monthly report, on the staff home.
        staff_home.register()
        # Every write of the data public pages show starts a new data version (page cache).
        from portal.lib.dataversion import watch_writes

        watch_writes()

    @staticmethod
    def _invalidate_figures_on_change():
        # The public figures are cached under a data version: any change to a counted
        # record starts a new version (the cache, not domain logic, hangs on these signals).
        from django.db.models.signals import post_delete, post_save

        from .figures.compute import COUNTED_MODELS, figures_invalidate

        for label in COUNTED_MODELS:
            model = apps.get_model(label)
            post_save.connect(figures_invalidate, sender=model, dispatch_uid=f"figures-{label}")
            post_delete.connect(figures_invalidate, sender=model, dispatch_uid=f"figures-d-{label}")
