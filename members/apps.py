from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and staff")

    def ready(self):
        from members import staff_home

        # Counts and the way into the records, on the staff home (never a name).
        staff_home.register()
