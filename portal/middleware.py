"""Site-wide response policies that no single view should have to remember."""

import re

from django.conf import settings
from django.utils.cache import add_never_cache_headers

# Staff areas under any language prefix: the admin, the staff pages, the member records.
_LANGUAGE_PREFIX = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
_STAFF_PATH = re.compile(rf"\A/(?:(?:{_LANGUAGE_PREFIX})/)?(?:admin|staff|members)/")


class StaffNoStoreMiddleware:
    """Keep every staff response out of browser and proxy caches, refusals included.

    Staff pages show drivers' phones, names and positions and member records; a shared
    computer at a station must not keep them. Views are ``never_cache`` already (see
    ``accounts.permissions.staff_view``); this also covers redirects, 404s and 403s.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _STAFF_PATH.match(request.path_info):
            add_never_cache_headers(response)
        return response
