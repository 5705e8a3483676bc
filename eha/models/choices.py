"""Coded values stored in the database, with their labels. The database refuses others.

Labels are English, as stored and exported; those marked ``N_`` are translated where a page shows them."""

from eha.i18n import N_

AGENCY_KINDS = {
    "school": N_("School or college"),
    "health": N_("Health"),
    "social_care": N_("Children's social care"),
    "police": N_("Police"),
    "housing": N_("Housing"),
    "voluntary": N_("Voluntary or community sector"),
    "early_help": N_("Early help"),
    "youth_justice": N_("Youth justice"),
    "other": N_("Other"),
}

PRACTITIONER = "practitioner"
MANAGER = "manager"
ADMIN = "admin"
ROLES = {PRACTITIONER: N_("Practitioner"), MANAGER: N_("Early help manager"), ADMIN: N_("Administrator")}


def role_label(role):
    """What a role is called on the pages (lazy: each page shows it in its language)."""
    return ROLES.get(role, role)


# Emailed single-use links: forgotten or reset passwords, and a new account's first password.
PASSWORD_LINK_PURPOSES = {"reset": "Reset password", "setup": "Set up account"}
# Resetting someone's second factor needs a second person's approval.
MFA_RESET_STATUSES = {"pending": N_("Waiting for approval"), "approved": N_("Approved"), "declined": N_("Declined")}

SEXES = {"female": "Female", "male": "Male", "other": "Other", "not_known": "Not known"}

CONSENT_GIVEN_BY = {"carer": "A parent or carer", "young_person": "The young person"}
# How the agreement was given (issue 13): in writing or spoken, and face to face or by phone.
CONSENT_FORMS = {"written": "In writing", "verbal": "Verbally"}
CONSENT_CONTACTS = {"in_person": "In person", "phone": "By phone"}

MEETING_KINDS = {
    "taf": N_("Team Around the Family meeting"),
    "review": N_("Review meeting"),
    # Family Help's family group decision making: the family and their own network plan together.
    "family_network": N_("Family network meeting"),
}
# How an invitee was told about a meeting.
INVITE_METHODS = {
    "email": N_("By email"),
    "phone": N_("By phone"),
    "text": N_("By text message"),
    "letter": N_("By letter"),
    "in_person": N_("In person"),
}
# Someone on a case without an eha account.
CASE_PERSON_KINDS = {
    "network": "Family network",
    "professional": "Professional without an eha account",
}
MEETING_STATUSES = {"scheduled": N_("Scheduled"), "held": N_("Held"), "cancelled": N_("Cancelled")}

PLAN_STATUSES = {"draft": N_("Draft"), "signed": N_("Signed"), "superseded": N_("Superseded")}
SIGNER_KINDS = {
    "lead": N_("Lead professional"),
    "carer": N_("Parent or carer"),
    "young_person": N_("Young person"),
    "taf_member": N_("TAF member"),
    "network": N_("Family network member"),
    "professional": N_("Professional"),
}
SIGNING_METHODS = {
    "on_screen": N_("In person on screen"),
    "on_paper": N_("On paper"),
    "by_phone": N_("Verbally by phone"),
}

ACTION_PROGRESS = {
    "done": N_("Done"),
    "on_track": N_("On track"),
    "not_started": N_("Not started"),
    "not_done": N_("Not done"),
    "no_longer_needed": N_("No longer needed"),
}
CLOSED_ACTION_PROGRESS = ("done", "no_longer_needed")

# The API (eha.api): what a token may do, and how it was issued.
API_SCOPES = {
    "read": N_("See your cases and their summaries"),
    "actions:update": N_("Update progress on the actions you own"),
    "webhooks": N_("Manage webhook subscriptions for case state changes"),
}
API_TOKEN_KINDS = {"personal": N_("Personal access token"), "client": N_("OAuth client credentials")}
WEBHOOK_EVENTS = {"case.state_changed": N_("A case moved to another state")}

REVIEW_DECISIONS = {
    "continue": N_("Continue with the plan"),
    "close": N_("Close the early help episode"),
    "step_up": N_("Step up to children's social care"),
}
# The outcome recorded for each need when the episode closes (``need_outcomes.outcome``): reports count these per
# need code, so the values never change.
NEED_OUTCOMES = {"met": N_("Met"), "partly_met": N_("Partly met"), "not_met": N_("Not met")}

# The ten headline outcomes of the National Supporting Families Outcome Framework (Supporting Families programme
# guidance 2022 to 2025, chapter 3), in the framework's order and its own words. The codes are the values the
# assessment's "needs" question stores (``sf-…``, in every shipped definition) and ``need_outcomes.need_code``
# holds: reports and the Supporting Families return count by them, so they never change.
SUPPORTING_FAMILIES_OUTCOMES = {
    "sf-education": "Getting a good education",
    "sf-early-years": "Good early years development",
    "sf-health": "Improved mental and physical health",
    "sf-substance": "Promoting recovery and reducing harm from substance use",
    "sf-relationships": "Improved family relationships",
    "sf-safe-exploitation": "Children safe from abuse and exploitation",
    "sf-crime": "Crime prevention and tackling crime",
    "sf-domestic-abuse": "Safe from domestic abuse",
    "sf-housing": "Secure housing",
    "sf-financial": "Financial stability",
}

AUDIT_OUTCOMES = ("success", "refused", "failed")


def check_in(column, values):
    """SQL for a CHECK constraint that ``column`` is one of ``values``."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


# Notifications (eha.notifications): what a message is about, and where it is in the outbox.
NOTIFICATION_KINDS = {
    "invitation": "Meeting invitation",
    "invitation_update": "Meeting changed",
    "invitation_cancel": "Meeting cancelled",
    "action_owned": "New action",
    "access_ended": "Access ended",
    "subject_access": "Subject access request",
    "daily_digest": "Daily summary",
    "weekly_digest": "Weekly summary",
    "webhook": "Webhook delivery",  # a signed POST to a system's subscription (eha.api.webhooks), not an email
}
NOTIFICATION_STATUSES = {"queued": N_("Queued"), "sending": N_("Sending"), "sent": N_("Sent"), "failed": N_("Failed")}
# The digests a user may choose (invitations and the other messages always go).
DIGEST_KINDS = {"daily": "Daily summary of what is due on your cases", "weekly": "Weekly summary for managers"}

# Information governance (issue 19).
DISPOSAL_STATUSES = {
    "pending": N_("Waiting for a manager's approval"),
    "approved": N_("Approved"),
    "disposed": N_("Disposed of"),
    "cancelled": N_("Cancelled"),
}
SAR_PERSON_KINDS = {
    "child": N_("Child"),
    "carer": N_("Parent or carer"),
    "network": N_("Family network member"),
    "case_person": N_("Someone on a case without an eha account"),
}
# Why a third party's personal data is withheld from a subject access response: the Data Protection Act 2018
# exemption the practitioner relies on, as the response names it.
SAR_EXEMPTIONS = {
    "third_party": N_("Another person's personal data (DPA 2018, Schedule 2, paragraph 16)"),
    "serious_harm": N_("Likely to cause serious harm (DPA 2018, Schedule 3, Part 4: social work data)"),
    "crime": N_("Prevention or detection of crime (DPA 2018, Schedule 2, paragraph 2)"),
    "legal_privilege": N_("Legal professional privilege (DPA 2018, Schedule 2, paragraph 19)"),
}
SAR_STATUSES = {
    "redaction": N_("Marking third parties to redact"),
    "review": N_("Waiting for the redactions to be reviewed"),
    "ready": N_("Reviewed: ready to export"),
    "completed": N_("Export produced"),
}
# Records whose facts can be corrected, and the facts of each.
CORRECTABLE_RECORDS = {
    "child": N_("Child"),
    "carer": N_("Parent or carer"),
    "family": N_("Family"),
    "network": N_("Family network member"),
}
CORRECTABLE_FIELDS = {
    "child": {"first_name": N_("First name"), "last_name": N_("Last name"), "date_of_birth": N_("Date of birth")},
    "carer": {"name": N_("Name"), "address": N_("Address"), "phone": N_("Phone"), "email": N_("Email")},
    "family": {"address": N_("Address"), "postcode": N_("Postcode")},
    # Everything a network member's record holds about them: who they are, to the family, and how to reach them.
    "network": {
        "name": N_("Name"),
        "relationship_to_family": N_("Relationship to the family"),
        "contact": N_("Contact details"),
        "support_offered": N_("Support they offer"),
    },
}
