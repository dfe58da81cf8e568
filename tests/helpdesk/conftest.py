import pytest


@pytest.fixture
def desk(make_user):
    """A dispatcher who covers no organisation: sees every request, holds none."""
    from accounts.roles import DISPATCHERS

    return make_user("desk", DISPATCHERS)
