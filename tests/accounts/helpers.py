"""Sign in the way people do: the password form, then a code from the authenticator."""

import time

from django.urls import reverse
from django_otp.oath import TOTP

from tests.conftest import PASSWORD


def code_for(device, *, offset=0):
    """The 6-digit code an authenticator app shows now (``offset`` steps later)."""
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_password(client, user, next_url="/admin/"):
    return client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )


def enter_code(client, code, next_url="/admin/", **extra):
    return client.post(reverse("accounts:verify"), {"code": code, "next": next_url, **extra})
