import pytest
from django.core.cache import cache


@pytest.fixture
def desk(make_user):
    """A dispatcher who covers no organisation: sees every request, holds none."""
    from accounts.roles import DISPATCHERS

    return make_user("desk", DISPATCHERS)


@pytest.fixture
def fast_forms(settings):
    """Public forms accept an instant fill, and every rate limit starts empty."""
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()
