"""Admin registrations of the care app, one module per topic."""

from . import admin_help  # noqa: F401
