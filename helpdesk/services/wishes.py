"""Micro-wish writes: submission, review and the open → claimed → fulfilled steps."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation, User
from helpdesk.models.wishes import Wish
from helpdesk.services.requests import IllegalTransition
from portal.lib import translated


def wish_submit(
    *, form_token: str, text: str, surname: str = "", road: str = "", phone: str = ""
) -> tuple[Wish, bool]:
    """Store a wish once per form token; it waits for staff review before it is shown."""
    existing = Wish.objects.filter(form_token=form_token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            wish = Wish.objects.create(
                form_token=form_token, text=text, surname=surname, road=road, phone=phone
            )
            return wish, True
    except IntegrityError:
        return Wish.objects.get(form_token=form_token), False


def _locked(wish: Wish) -> Wish:
    return Wish.objects.select_for_update().get(pk=wish.pk)


def _locked_unreviewed(wish: Wish) -> Wish:
    wish = _locked(wish)
    if wish.approved_at or wish.rejected:
        raise IllegalTransition(gettext("This wish has already been reviewed."))
    return wish


@transaction.atomic
def wish_approve(*, wish: Wish, actor: User) -> Wish:
    """Show the wish on the public wall."""
    wish = _locked_unreviewed(wish)
    wish.approved_at = timezone.now()
    wish.approved_by = actor
    wish.save()
    return wish


@transaction.atomic
def wish_reject(*, wish: Wish, actor: User) -> Wish:
    """Keep the wish off the public wall."""
    wish = _locked_unreviewed(wish)
    wish.rejected = True
    wish.approved_by = actor
    wish.save()
    return wish


@transaction.atomic
def wish_claim(
    *, wish: Wish, actor: User, organisation: Organisation | None = None, volunteer: str = ""
) -> Wish:
    """Record who takes the wish on: an organisation or a named volunteer."""
    wish = _locked(wish)
    if not wish.approved_at or wish.rejected or wish.state != Wish.State.OPEN:
        raise IllegalTransition(gettext("Only an approved, open wish can be claimed."))
    volunteer = (volunteer or "").strip()
    if (organisation is None) == (not volunteer):
        raise IllegalTransition(gettext("Choose either an organisation or a volunteer."))
    wish.claimed_by_organisation = organisation
    wish.claimed_by_volunteer = volunteer
    wish.claimed_at = timezone.now()
    wish.state = Wish.State.CLAIMED
    wish.save()
    return wish


@transaction.atomic
def wish_fulfil(
    *, wish: Wish, actor: User, thank_you: str, thank_you_en: str = "", thank_you_vi: str = ""
) -> Wish:
    """Mark a claimed wish fulfilled, with a short thank-you note for the wall.

    ``thank_you`` is the Chinese note (required); English and Vietnamese are optional.
    """
    wish = _locked(wish)
    if wish.state != Wish.State.CLAIMED:
        raise IllegalTransition(gettext("Only a claimed wish can be fulfilled."))
    thank_you = (thank_you or "").strip()
    if not thank_you:
        raise IllegalTransition(gettext("Write a short thank-you note."))
    translated.set_chinese(wish, "thank_you", thank_you[:200])
    # The translation columns are added by django-modeltranslation (helpdesk/translation.py).
    setattr(wish, "thank_you_en", (thank_you_en or "").strip()[:200])  # noqa: B010
    setattr(wish, "thank_you_vi", (thank_you_vi or "").strip()[:200])  # noqa: B010
    wish.fulfilled_at = timezone.now()
    wish.state = Wish.State.FULFILLED
    wish.save()
    return wish
