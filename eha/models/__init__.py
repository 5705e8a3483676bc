"""The data model, one module per aggregate. Importing this registers every table."""

from eha.models.assessments import (  # noqa: F401
    AccessGrant,
    Assessment,
    AssessmentChild,
    CasePerson,
    Consent,
    FormDefinitionVersion,
    ReferenceCounter,
    SectionAnswer,
    TafMember,
    consent_agencies,
)
from eha.models.audit import AuditChainHead, AuditEvent  # noqa: F401
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember  # noqa: F401
from eha.models.meetings import Meeting, MeetingParticipant  # noqa: F401
from eha.models.notifications import Notification, NotificationPreference  # noqa: F401
from eha.models.plans import (  # noqa: F401
    ActionUpdate,
    NeedOutcome,
    PlanAction,
    PlanSignature,
    PlanVersion,
    Review,
)
from eha.models.users import Agency, MfaResetRequest, PasswordLink, User, UserSession  # noqa: F401
