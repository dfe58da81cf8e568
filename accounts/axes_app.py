"""django-axes under a name staff understand (its own, "Axes", is never translated)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SignInSecurityConfig(AxesAppConfig):
    name = "axes"
    verbose_name = _("Sign-in security")
