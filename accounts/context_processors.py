"""The staff bar: who is signed in, the staff home and sign-out, on every staff page."""

import re

from django.conf import settings

from .permissions import is_active_staff

_LANGUAGE_PREFIX = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
# Staff pages only: public pages never read the session for it, so they stay the same for
# every visitor (and cacheable) and a staff name never lands in a shared cache.
_STAFF_PAGE = re.compile(rf"\A/(?:(?:{_LANGUAGE_PREFIX})/)?(?:staff|members)/")


def staff_bar(request):
    """Give staff pages ``staff_bar_user`` (the signed-in staff account) or nothing."""
    if not _STAFF_PAGE.match(request.path_info):
        return {}
    user = getattr(request, "user", None)
    return {"staff_bar_user": user} if is_active_staff(user) else {}
