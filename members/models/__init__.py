"""The member records; one module per topic."""

from .access_log import AccessLog  # noqa: F401
from .exports import ExportJob  # noqa: F401
from .liaison import DutyContact, LiaisonDuty  # noqa: F401
from .people import Enterprise, PartyMembership, Person  # noqa: F401
from .records import DossierEntry, LiaisonContact, MentoringPair  # noqa: F401
