"""Member-record and help-request fixtures reused by the sign-in tests."""

from tests.helpdesk.conftest import *  # noqa: F403
from tests.members.conftest import (  # noqa: F401
    document_a,
    exporting_officer_a,
    person_a,
    person_b,
)
