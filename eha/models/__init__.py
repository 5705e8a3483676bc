"""The data model, one module per aggregate. Importing this registers every table."""

from eha.models.api import ApiClient, ApiToken, WebhookSubscription  # noqa: F401
from eha.models.assessments import (  # noqa: F401
    AccessGrant,
    Assessment,
    AssessmentChild,
    CasePerson,
    Consent,
    FormDefinitionTranslation,
    FormDefinitionVersion,
    LeadChange,
    ReferenceCounter,
    SectionAnswer,
    TafMember,
    consent_agencies,
)
from eha.models.audit import AuditChainHead, AuditEvent, AuditLink  # noqa: F401
from eha.models.families import Carer, Child, Family, InvolvedAgency, NetworkMember  # noqa: F401
from eha.models.generation import ChangeGeneration  # noqa: F401
from eha.models.governance import (  # noqa: F401
    DisposalBatch,
    DisposalItem,
    FactCorrection,
    LegalHold,
    SarRedaction,
    SubjectAccessRequest,
)
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
from eha.models.report_facts import CaseCode, CaseMove, CaseOpening, CaseStateCount  # noqa: F401
from eha.models.users import (  # noqa: F401
    Agency,
    MfaResetRequest,
    PasswordLink,
    SsoAccountRule,
    User,
    UserIdentity,
    UserSession,
)

# Indexes on expressions (the case list's order, PostgreSQL's trigram search indexes) are made by migration
# 0009_scale_indexes and not declared here: autogenerate cannot compare expression indexes, so it leaves them out.
# So are migration 0031's trigram index on the cases' children's names and migration 0033's name-order and
# later-names indexes on the children (PostgreSQL only).
EXPRESSION_INDEXES = frozenset(
    {
        "ix_assessments_due_order",
        "ix_assessments_ref_trgm",
        "ix_children_search_name_trgm",
        "ix_assessments_search_names_trgm",
        "ix_children_name_order",
        "ix_children_later_names_trgm",
    }
)


def include_in_autogenerate(obj, name, type_, reflected, compare_to):
    """Alembic's ``include_object``: everything but ``EXPRESSION_INDEXES``."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)
