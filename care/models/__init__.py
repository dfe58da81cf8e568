"""Care events, visits, help requests and micro-wishes; one module per topic."""

from .events import Event, EventPhoto, Visit  # noqa: F401
from .help import CategoryDeadline, HelpEvent, HelpRequest  # noqa: F401
from .wishes import Wish  # noqa: F401
