"""Admin pages whose writes can fail on a full disk: the form again, with the error.

A service raises ValidationError when an upload cannot be written (``portal.lib.storage``).
In the admin that happens after the forms were validated, inside the admin's transaction.
``NotStoredAdminMixin`` turns it into ``NotStored``, which rolls that transaction back;
the files written so far are removed (``files_or_nothing``), and the page is shown again
with everything typed and the error at the top of the form. Nothing is saved.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError

from portal.lib.storage import files_or_nothing


class NotStored(Exception):
    """A write in ``save_model``/``save_related`` failed; ``error`` says why."""

    def __init__(self, error: ValidationError):
        super().__init__(" ".join(error.messages))
        self.error = error


class NotStoredAdminMixin:
    """For a ModelAdmin: see the module's docstring. Raise ``NotStored`` to use it."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view: Any = super().changeform_view  # type: ignore[misc]
        try:
            with files_or_nothing():
                return view(request, object_id, form_url, extra_context)
        except NotStored as failed:
            # The admin's transaction is rolled back; validate again with the error added,
            # so the page comes back with what was typed and nothing is saved.
            request._not_stored = failed.error
            self.message_user(request, str(failed), messages.ERROR)  # type: ignore[attr-defined]
            return view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        error = getattr(request, "_not_stored", None)
        if error is None:
            return form_class

        class NotStoredForm(form_class):
            def clean(self):
                cleaned = super().clean()
                self.add_error(None, error)
                return cleaned

        return NotStoredForm
