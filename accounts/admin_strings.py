"""Admin strings whose own catalogues lack Chinese or Vietnamese, so that ours carries them.

Django 5.2's admin, django-axes (no Chinese or Vietnamese catalogue at all) and
django-import-export (no Vietnamese) show these; listing them here lets ``make messages``
extract them into ``locale/``, whose translations Django finds first. Never imported.
"""

from django.utils.translation import gettext_noop

STRINGS = [
    # Django's admin (5.2 strings its catalogues have not caught up with)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Search"),
    gettext_noop("LogEntry Object"),
    gettext_noop("%(class_name)s %(instance)s"),
    gettext_noop("Email"),
    # django-axes: its models, admin and lockout message
    gettext_noop("Axes"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access logs"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop(
        "Account locked: too many login attempts. Contact an admin to unlock your account."
    ),
    # django-simple-history's history list
    gettext_noop("Changes"),
    gettext_noop("None"),
    # django-import-export
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop("Resource"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("Select all"),
    gettext_noop("Value could not be parsed."),
]
