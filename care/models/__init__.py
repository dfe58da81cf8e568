"""Care events, visits, help requests and micro-wishes; one module per topic."""

from .events import Event, EventPhoto, Visit  # noqa: F401
