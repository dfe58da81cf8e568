"""The help-request workflow as one table: which action may leave which state.

The services refuse an action whose request is in a state not listed here, and the staff
page offers exactly the actions this table allows; neither keeps a list of its own.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from helpdesk.choices import State

# States in which the request is still being worked on (not resolved, not final).
ACTIVE = frozenset({State.RECEIVED, State.TRANSFERRED, State.IN_PROGRESS, State.REOPENED})


@dataclass(frozen=True)
class Transition:
    """An action staff may take, the states it may start from and its refusal message."""

    action: str
    sources: frozenset[str]
    refusal: str


TRANSITIONS: dict[str, Transition] = {
    transition.action: transition
    for transition in (
        Transition("transfer", ACTIVE, _("Only an open request can be transferred")),
        Transition(
            "start",
            frozenset({State.TRANSFERRED, State.REOPENED}),
            _("Only a transferred or reopened request can be started"),
        ),
        Transition(
            "resolve",
            frozenset({State.TRANSFERRED, State.IN_PROGRESS}),
            _("Only a request being handled can be resolved"),
        ),
        Transition(
            "follow-up",
            frozenset({State.RESOLVED}),
            _("Only a resolved request can be followed up"),
        ),
        Transition(
            "close", frozenset({State.FOLLOWED_UP}), _("Only a followed-up request can be closed")
        ),
        Transition("duplicate", ACTIVE, _("Only an open request can be marked as a duplicate")),
        Transition("not-for-us", ACTIVE, _("Only an open request can be marked as not for us")),
        Transition("withdraw", ACTIVE, _("Only an open request can be withdrawn")),
    )
}


def actions_for(state: str) -> list[str]:
    """Return the actions allowed from ``state``, in the order the staff page shows them."""
    return [action for action, transition in TRANSITIONS.items() if state in transition.sources]
