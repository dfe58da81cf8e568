"""Help requests and micro-wishes; one module per topic."""

from .requests import CategoryDeadline, HelpEvent, HelpRequest  # noqa: F401
from .wishes import Wish  # noqa: F401
