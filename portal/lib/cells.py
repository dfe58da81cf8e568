"""Small-cell suppression for published counts.

A count between 1 and ``SMALL_CELL - 1`` about people (say, the mobile party members of
one branch) could single someone out: it is published as "fewer than 5" instead. Zero
and larger counts are shown as they are.
"""

from django.utils.translation import gettext_lazy as _

SMALL_CELL = 5


class Suppressed:
    """A count too small to publish; renders as "fewer than 5" in the active language."""

    __slots__ = ()

    def __str__(self) -> str:
        return str(_("fewer than %(number)s") % {"number": SMALL_CELL})

    def __repr__(self) -> str:
        return f"<fewer than {SMALL_CELL}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Suppressed)

    def __hash__(self) -> int:
        return hash(Suppressed)


FEWER_THAN = Suppressed()


def suppress(count: int) -> int | Suppressed:
    """Return ``count``, or ``FEWER_THAN`` when it is between 1 and ``SMALL_CELL - 1``."""
    return FEWER_THAN if 0 < count < SMALL_CELL else count
