"""The returns councils make from their early help records, as CSV with one header row:

- ``ssd-early-help``: the Standard Safeguarding Dataset's ``ssd_early_help_episodes`` table (EARL001A-EARL008A);
- ``annex-a-early-help``: Ofsted's ILACS Annex A list of children who received early help in the period;
- ``supporting-families``: the families whose episode counts towards Supporting Families outcomes, one row per
  need, with its outcome and whether it was sustained at the follow-up date.

Fields, codes and sources are in docs/returns.md. Each is a ``Table`` (one query, streamed), callable from the CLI,
the pages and the API alike: ``table(name, date_from, date_to, today)``.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from eha.i18n import N_
from eha.models.assessments import Assessment, AssessmentChild, SectionAnswer
from eha.models.families import Child
from eha.models.plans import NeedOutcome, PlanVersion
from eha.models.report_facts import NEED
from eha.models.users import Agency, User
from eha.reports import coded
from eha.reports.filters import Filters
from eha.reports.sql import days_between
from eha.reports.tables import Column, Table

# Supporting Families: at least this many headline needs; an outcome is sustained when no new episode of the
# family identifies the same need before the follow-up, this many days after closure (six months).
SF_MIN_NEEDS = 3
SF_FOLLOW_UP_DAYS = 183

# Ofsted's ILACS Annex A, list 2 (early help): its drop-down values, as the template's validation lists them
# (docs/returns.md cites the source). eha's "other" is Annex A's "Neither"; eha's "not known" is "Not stated/recorded".
ANNEX_A_UNKNOWN_GENDER = "c) Not stated/recorded"
ANNEX_A_GENDER = {"male": "a) Male", "female": "b) Female", "not_known": ANNEX_A_UNKNOWN_GENDER, "other": "d) Neither"}
# The DfE census ethnicity codes, each prefixed by its letter in the template's list (NOBT's letter is the
# source's: see docs/returns.md).
ANNEX_A_ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip(
        "abcdefghijklmnopqrs",
        (
            "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
            "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU",
        ),
        strict=True,
    )
}  # fmt: skip
ANNEX_A_ETHNICITY["NOBT"] = ANNEX_A_ETHNICITY_NOT_OBTAINED = "s) NOBT"

# Where eha-default-v2 (and later versions) ask what the returns need: each child's "About the child" answers
# (ethnicity as the DfE census code, disability) and the household's "About the request" (who asked for help).
# An assessment on v1 has none of these sections, so its rows carry the "not obtained" / "unknown" codes.
ABOUT_CHILD = "about-the-child"
ABOUT_REQUEST = "about-the-request"


def _ssd_datetime(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _uk_date(value):
    """Annex A's dates: DD/MM/YYYY."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def age_on(born, day):
    """Whole years from ``born`` to ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _in_period(period):
    return sa.and_(
        Assessment.started_at < period.end,
        sa.or_(Assessment.closed_at.is_(None), Assessment.closed_at >= period.start),
    )


def _organisation():
    """The lead professional's agency, or before there is one the agency of the practitioner who started it."""
    worker = aliased(User)
    return worker, aliased(Agency)


def _household_answers(name, section_key):
    answers = aliased(SectionAnswer, name=name)
    joined = sa.and_(
        answers.assessment_id == Assessment.id, answers.section_key == section_key, answers.child_id.is_(None)
    )
    return answers, joined


def _child_answers(name, section_key):
    answers = aliased(SectionAnswer, name=name)
    joined = sa.and_(
        answers.assessment_id == AssessmentChild.assessment_id,
        answers.section_key == section_key,
        answers.child_id == AssessmentChild.child_id,
    )
    return answers, joined


def ssd_early_help(period, today):
    worker, agency = _organisation()
    request, request_joined = _household_answers("request", ABOUT_REQUEST)
    query = (
        sa.select(
            Assessment.ref,
            AssessmentChild.child_id,
            Assessment.started_at,
            Assessment.closed_at,
            Assessment.closure_reason,
            agency.name,
            worker.id,
            request.answers["who-asked"].as_string(),
        )
        .select_from(AssessmentChild)
        .join(Assessment, Assessment.id == AssessmentChild.assessment_id)
        .join(worker, worker.id == sa.func.coalesce(Assessment.lead_id, Assessment.started_by_id))
        .join(agency, agency.id == worker.agency_id)
        .outerjoin(request, request_joined)
        .where(_in_period(period))
        .order_by(Assessment.id, AssessmentChild.child_id)
    )
    return Table(
        "ssd-early-help",
        "ssd_early_help_episodes",
        tuple(
            Column(name)
            for name in (
                "earl_episode_id",
                "earl_person_id",
                "earl_episode_start_date",
                "earl_episode_end_date",
                "earl_episode_reason",
                "earl_episode_end_reason",
                "earl_episode_organisation",
                "earl_episode_worker_id",
            )
        ),
        query,
        shape=lambda r: (
            f"{r[0]}-{r[1]}",
            str(r[1]),
            _ssd_datetime(r[2]),
            _ssd_datetime(r[3]),
            r[7] or "",  # who asked for help (v2's "About the request"): see docs/returns.md
            r[4] or "",
            r[5],
            str(r[6]),
        ),
    )


def annex_a_early_help(period, today):
    worker, agency = _organisation()
    about, about_joined = _child_answers("about_child", ABOUT_CHILD)
    query = (
        sa.select(
            Child.id,
            Child.sex,
            Child.date_of_birth,
            Assessment.started_at,
            Assessment.completed_at,
            agency.name,
            about.answers["ethnicity"].as_string(),
        )
        .select_from(AssessmentChild)
        .join(Assessment, Assessment.id == AssessmentChild.assessment_id)
        .join(Child, Child.id == AssessmentChild.child_id)
        .join(worker, worker.id == sa.func.coalesce(Assessment.lead_id, Assessment.started_by_id))
        .join(agency, agency.id == worker.agency_id)
        .outerjoin(about, about_joined)
        .where(_in_period(period))
        .order_by(Child.id, Assessment.started_at, Assessment.id)
    )
    return Table(
        "annex-a-early-help",
        "Annex A: early help",
        tuple(
            Column(name)
            for name in (
                "Child Unique ID",
                "Gender",
                "Ethnicity",
                "Date of Birth",
                "Age of Child (Years)",
                "Assessment start date",
                "Assessment completion date",
                "Organisation completing assessment",
            )
        ),
        query,
        shape=lambda r: (
            str(r[0]),
            ANNEX_A_GENDER.get(r[1], ANNEX_A_UNKNOWN_GENDER),
            ANNEX_A_ETHNICITY.get(r[6], ANNEX_A_ETHNICITY_NOT_OBTAINED),
            _uk_date(r[2]),
            str(age_on(r[2], r[3].date())),
            _uk_date(r[3]),
            _uk_date(r[4]),
            r[5] if r[4] else "",
        ),
    )


def _needs_of(name):
    from eha.reports.catalogue import coded_answers

    return coded_answers(NEED, name)


SF_COLUMNS = (
    "family_id",
    "case_ref",
    "lead_professional_id",
    "lead_professional_agency",
    "headline_needs",
    "assessment_completed_on",
    "plan_agreed_on",
    "closed_on",
    "need_code",
    "need",
    "outcome",
    "follow_up_on",
    "sustained",
)


def _recurred(found):
    """Whether a later episode of the same family identified the same need before the follow-up date."""
    later = aliased(Assessment)
    again = _needs_of("later_needs")
    return (
        sa.select(later.id)
        .select_from(again)
        .join(later, later.id == again.c.assessment_id)
        .where(
            later.family_id == Assessment.family_id,
            later.id != Assessment.id,
            again.c.code == found.c.code,
            later.started_at >= Assessment.closed_at,
            days_between(Assessment.closed_at, later.started_at) <= SF_FOLLOW_UP_DAYS,
        )
        .correlate(Assessment, found)
        .exists()
    )


def _supporting_families_query(period):
    found = _needs_of("needs")
    counts = (
        sa.select(found.c.assessment_id, sa.func.count().label("needs"))
        .group_by(found.c.assessment_id)
        .subquery("counts")
    )
    plan = (
        sa.select(PlanVersion.assessment_id, sa.func.min(PlanVersion.signed_at).label("signed_at"))
        .where(PlanVersion.signed_at.is_not(None))
        .group_by(PlanVersion.assessment_id)
        .subquery("plan")
    )
    lead = aliased(User)
    agency = aliased(Agency)
    recurred = _recurred(found)
    return (
        sa.select(
            Assessment.family_id,
            Assessment.ref,
            lead.id,
            agency.name,
            counts.c.needs,
            Assessment.completed_at,
            plan.c.signed_at,
            Assessment.closed_at,
            found.c.code,
            NeedOutcome.outcome,
            recurred,
        )
        .select_from(found)
        .join(Assessment, Assessment.id == found.c.assessment_id)
        .join(counts, counts.c.assessment_id == Assessment.id)
        .join(plan, plan.c.assessment_id == Assessment.id)
        .join(lead, lead.id == Assessment.lead_id)
        .join(agency, agency.id == lead.agency_id)
        .outerjoin(
            NeedOutcome,
            sa.and_(NeedOutcome.assessment_id == Assessment.id, NeedOutcome.need_code == found.c.code),
        )
        .where(_in_period(period), counts.c.needs >= SF_MIN_NEEDS, Assessment.completed_at.is_not(None))
        .order_by(Assessment.family_id, Assessment.id, found.c.code)
    )


def supporting_families(period, today):
    def shape(r):
        closed = r[7].date() if r[7] else None
        follow_up = closed + timedelta(days=SF_FOLLOW_UP_DAYS) if closed else None
        return (
            str(r[0]),
            r[1],
            str(r[2]),
            r[3],
            r[4],
            r[5].date().isoformat(),
            r[6].date().isoformat(),
            closed.isoformat() if closed else "",
            r[8],
            coded.label(r[8]),
            r[9] or "",
            follow_up.isoformat() if follow_up else "",
            _sustained(r[9], r[10], follow_up, today),
        )

    return Table(
        "supporting-families",
        "Supporting Families outcomes",
        tuple(Column(name) for name in SF_COLUMNS),
        _supporting_families_query(period),
        shape=shape,
    )


def _sustained(outcome, recurred, follow_up, today):
    """ "yes", "no", "not yet known" (the follow-up date is still to come), or "" (the need was not met)."""
    if outcome != "met":
        return ""
    if recurred:
        return "no"
    return "yes" if follow_up <= today else "not yet known"


RETURNS = {
    "ssd-early-help": (N_("Standard Safeguarding Dataset: early help episodes"), ssd_early_help),
    "annex-a-early-help": (N_("Ofsted ILACS Annex A: early help"), annex_a_early_help),
    "supporting-families": (N_("Supporting Families outcomes"), supporting_families),
}


def table(name, date_from, date_to, today=None):
    """The return ``name`` for the period ``date_from`` to ``date_to`` (both included); KeyError if none."""
    period = Filters(date_from=date_from, date_to=date_to, period="custom")
    return RETURNS[name][1](period, today or date.today())
