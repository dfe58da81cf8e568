from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and organisations")

    def ready(self):
        from . import signals

        signals.connect()

        from . import admin_site

        # The admin speaks the person's language and is arranged by task.
        admin_site.install()
