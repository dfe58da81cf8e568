"""Receivers for Django's sign-in signals and for changes that must end sessions at once.

Signing in and out also happens in Django's own code (the admin's sign-out, the test
client), and an account can be deactivated from the admin, the shell or a script: these
receivers are the one place that sees all of them. They only call services.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save

from . import services
from .models import SignInEvent, User


def _signed_in(sender, request, user, **kwargs):
    if request is None or not getattr(user, "is_staff", False):
        return
    services.staff_session_start(request=request, user=user)
    services.sign_in_event_record(kind=SignInEvent.Kind.SIGNED_IN, user=user, request=request)


def _signed_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    services.staff_session_forget(session_key=request.session.session_key)
    kind = getattr(request, "sign_out_kind", SignInEvent.Kind.SIGNED_OUT)
    services.sign_in_event_record(kind=kind, user=user, request=request)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The code step reports its failures itself (as CODE_FAILED).
    if credentials.get("second_factor"):
        return
    services.sign_in_event_record(
        kind=SignInEvent.Kind.PASSWORD_FAILED,
        username=str(credentials.get("username") or ""),
        request=request,
    )


def _account_saved(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        services.staff_sessions_end(user=instance, note="account deactivated")


def _organisations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_remove", "post_clear"}:
        return
    if reverse:
        # organisation.staff.remove(user...): the users are in pk_set.
        users = list(User.objects.filter(pk__in=pk_set or ()))
    else:
        users = [instance]
    for user in users:
        if action == "post_clear" and not getattr(user, "_had_organisations", True):
            continue
        if not user.organisations.exists():
            services.staff_sessions_end(user=user, note="last organisation removed")


def _organisations_clearing(sender, instance, action, reverse, **kwargs):
    if action == "pre_clear" and not reverse:
        instance._had_organisations = instance.organisations.exists()


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="accounts.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="accounts.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="accounts.sign_in_failed")
    post_save.connect(_account_saved, sender=User, dispatch_uid="accounts.account_saved")
    through = User.organisations.through
    m2m_changed.connect(_organisations_clearing, sender=through, dispatch_uid="accounts.org_pre")
    m2m_changed.connect(_organisations_changed, sender=through, dispatch_uid="accounts.org_post")
