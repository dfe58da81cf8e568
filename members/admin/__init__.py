"""The member records in the Django admin, every view scoped by the one gatekeeper.

``base`` holds what every member-data admin shares (scope, 404s, logging, service-layer
writes, exports); the topic modules register the admins. Importing them here is what
registers them (``portal.apps`` imports ``members.admin``).
"""

from . import access_log, liaison, people, records  # noqa: F401
