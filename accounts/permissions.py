"""Who may do what: the one place for role predicates, coverage and staff view decorators.

Two questions decide every staff access:

* **What** may this person do? Their role (a Django group, see ``accounts.roles``);
  superusers hold every role.
* **Where** may they do it? The organisations they work for, with every sub-organisation
  (``covered_organisation_ids``).

The refusal rule, applied everywhere:

* Anonymous visitors of a staff page are sent to the sign-in page.
* A signed-in account that may not see a record gets **404**, whether the record exists or
  not, so addresses reveal nothing: a request outside your organisations, a member record
  outside your scope, a staff page of a role you do not hold.
* **403** is left to Django itself where the refusal reveals nothing about a record: the
  admin's own model permissions (a change form you may view but not change) and CSRF
  failures.

Domain querysets build their gatekeepers (``visible_to``/``editable_by``) from these
predicates; views never test roles inline.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from .roles import (
    DISPATCHERS,
    HELP_HANDLERS,
    HELP_ROLES,
    MEMBER_RECORDS_OFFICERS,
    ORGANIZERS,
    STATION_MANAGERS,
)

# Coverage is worked out once per request and kept on the user object.
_COVERAGE_ATTR = "_covered_organisation_ids"
_GROUPS_ATTR = "_role_names"

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_active_staff(user: Any) -> bool:
    """Tell whether ``user`` is a signed-in, active staff account."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_superuser(user: Any) -> bool:
    return is_active_staff(user) and bool(user.is_superuser)


def role_names(user: Any) -> frozenset[str]:
    """Return the names of ``user``'s groups (one query, then kept for the request)."""
    cached = getattr(user, _GROUPS_ATTR, None)
    if cached is None:
        cached = frozenset(group.name for group in user.groups.all())
        setattr(user, _GROUPS_ATTR, cached)
    return cached


def has_role(user: Any, role: str) -> bool:
    """Tell whether an active staff ``user`` holds ``role`` (superusers hold every role)."""
    if not is_active_staff(user):
        return False
    return bool(user.is_superuser) or role in role_names(user)


def is_organizer(user: Any) -> bool:
    return has_role(user, ORGANIZERS)


def is_station_manager(user: Any) -> bool:
    return has_role(user, STATION_MANAGERS)


def is_dispatcher(user: Any) -> bool:
    return has_role(user, DISPATCHERS)


def can_post_crossing_notice(user: Any) -> bool:
    """Border-crossing status notices: station managers and dispatchers (and superusers)."""
    return is_station_manager(user) or is_dispatcher(user)


def is_help_handler(user: Any) -> bool:
    return has_role(user, HELP_HANDLERS)


def is_records_officer(user: Any) -> bool:
    return has_role(user, MEMBER_RECORDS_OFFICERS)


def can_take_help_requests(user: Any) -> bool:
    """Tell whether a help request may be passed to ``user`` by name.

    Only active staff holding a help role (dispatchers, help handlers, named helpers) may:
    the role is what counts here, so a superuser without one is not offered either.
    """
    return is_active_staff(user) and bool(set(HELP_ROLES) & role_names(user))


def help_takers() -> Any:
    """Return the accounts a help request may be passed to by name (``can_take_help_requests``),
    with their organisations prefetched, by full name."""
    from .models import User

    return (
        User.objects.filter(is_active=True, is_staff=True, groups__name__in=HELP_ROLES)
        .distinct()
        .prefetch_related("organisations")
        .order_by("last_name", "first_name", "username")
    )


def help_taking_organisations() -> Any:
    """Return the organisations a help request may be passed to: the assistance chain's
    party organisations (committee and branches) and any body a help handler covers."""
    from .models import Organisation, User

    handler_roots = User.organisations.through.objects.filter(
        user__is_active=True, user__groups__name=HELP_HANDLERS
    ).values_list("organisation_id", flat=True)
    covered = Organisation.objects.subtree_ids(list(handler_roots))
    chain = [Organisation.Kind.COMMITTEE, Organisation.Kind.BRANCH, Organisation.Kind.JOINT_BRANCH]
    return Organisation.objects.filter(Q(kind__in=chain) | Q(pk__in=covered)).order_by("name")


def covered_organisation_ids(user: Any) -> set[int]:
    """Return the ids of the organisations ``user`` works for and all their descendants.

    Two queries (the user's organisations, the whole small tree), once per request.
    """
    cached = getattr(user, _COVERAGE_ATTR, None)
    if cached is not None:
        return cached
    if not is_active_staff(user):
        return set()
    from .models import Organisation, User

    roots = User.organisations.through.objects.filter(user_id=user.pk).values_list(
        "organisation_id", flat=True
    )
    covered = Organisation.objects.subtree_ids(list(roots))
    setattr(user, _COVERAGE_ATTR, covered)
    return covered


def forget_cached_access(user: Any) -> None:
    """Drop the roles and coverage kept on ``user`` (after changing them in a test)."""
    for attr in (_COVERAGE_ATTR, _GROUPS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def staff_view(predicate: Callable[[Any], bool] | None = None) -> Callable[[View], View]:
    """Decorate a staff page: sign-in required, never cached, 404 unless ``predicate``.

    Staff pages show drivers' phones and names: ``never_cache`` keeps them out of a shared
    browser's cache. A signed-in account that fails ``predicate`` gets 404 (see the module
    docstring for the refusal rule).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_active_staff(request.user):
                raise Http404
            if predicate is not None and not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return never_cache(login_required(wrapper))  # type: ignore[return-value]

    return decorator
