from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from portal.lib.phones import tel_uri
from portal.lib.timezone import local_tz_name


def site(request):
    """Give every template the emergency line, links to this page in each language and the
    local time zone (TIME_ZONE, for scripts that show times: ``<html data-time-zone>``).

    Each language also carries ``absolute_url`` for the ``hreflang`` alternates, which search
    engines only accept as full addresses; the default language doubles as ``x-default``.
    """
    current = get_language()
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current,
            "default": code == settings.LANGUAGE_CODE,
        }
        for code, name in settings.LANGUAGES
    ]
    for language in languages:
        language["absolute_url"] = request.build_absolute_uri(language["url"])
    return {
        "emergency_phone": settings.EMERGENCY_PHONE,
        "emergency_tel": tel_uri(settings.EMERGENCY_PHONE),
        "site_languages": languages,
        "time_zone": local_tz_name(),
    }
