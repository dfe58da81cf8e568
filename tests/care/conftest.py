import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Persona accounts are created in nearly every test here; PBKDF2 would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(make_user):
    """A dispatcher who covers no organisation: sees every request, holds none."""
    from members.roles import DISPATCHERS

    return make_user("desk", DISPATCHERS)
