"""What may be answered from the shared cache: one rule for the page cache and for the
fragments apps keep there (the nearby page's shell)."""

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage


def _bypass_cookies() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGES_COOKIE_NAME", "messages"))


def shareable_request(request) -> bool:
    """Whether this request's answer may be shared with other visitors: a GET with the cache
    on, from a visitor with no session (never staff) and no notice waiting."""
    if not settings.PAGE_CACHE or request.method != "GET":
        return False
    return not any(name in request.COOKIES for name in _bypass_cookies())


def static_release() -> str:
    """A token of this release's static files (the manifest's hash; empty without hashed
    names): a stored fragment names hashed files, so it must not outlive them."""
    return getattr(staticfiles_storage, "manifest_hash", "") or ""
