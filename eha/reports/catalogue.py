"""The managers' reports: each a function of the filters that returns a ``Report`` of tables (aggregated in SQL,
one query per table, whatever the number of cases) and the chart drawn from one of them.

Callable without a request (the API and the CLI use them too): ``build(name, filters, user, today)``.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from eha.access import visible_cases_filter
from eha.extensions import db
from eha.formatting import lower_first, month_label
from eha.i18n import N_, current_language, translated
from eha.models.assessments import Assessment, AssessmentChild, TafMember
from eha.models.choices import AGENCY_KINDS, NEED_OUTCOMES
from eha.models.meetings import Meeting
from eha.models.plans import NeedOutcome, PlanVersion, Review
from eha.models.report_facts import CIN_FACTOR, NEED, CaseCode, CaseMove
from eha.models.users import Agency, User
from eha.reports import coded
from eha.reports.sql import days_between, month_of, without_jit
from eha.reports.tables import Column, Table, months_table
from eha.workflow.states import CLOSURE_REASONS, OPEN_STATES, STATE_LABELS, STATES, STEPPED_DOWN, STEPPED_UP

PAGE_ROWS = 50


@dataclass(frozen=True)
class Chart:
    """Draw ``table``'s column ``category`` against its ``series`` columns; ``horizontal`` bars read better for
    long category names. ``unit`` names what the numbers are ("cases", "%", "days")."""

    table: str
    category: int
    series: tuple
    unit: str
    horizontal: bool = False


@dataclass
class Report:
    name: str
    title: str
    description: str
    tables: list
    chart: Chart | None
    period_note: str = ""

    def table(self, key):
        return next((t for t in self.tables if t.key == key), None)


class _SharedRows:
    """One aggregate statement whose few rows (each tagged with its ``part``) make more than one table."""

    def __init__(self, query):
        self.query = query
        self._rows = None

    def rows(self):
        if self._rows is None:
            without_jit()
            self._rows = db.session.execute(self.query).all()
        return self._rows


@dataclass
class _PartTable(Table):
    """A table of the rows of a ``_SharedRows`` tagged ``part`` (an aggregate: a few dozen rows, shown whole)."""

    source: _SharedRows | None = field(default=None, repr=False)
    part: object = 0  # the value of the rows' first column

    def rows(self):
        if self._rows is None:
            self._rows = self._shaped(row for row in self.source.rows() if row[0] == self.part)
        return self._rows

    @property
    def has_more(self):
        return False

    def stream(self):
        yield from self.rows()


def _cases(filters, user):
    """The cases the report is about: visible to ``user`` and matching the filters other than the period."""
    return sa.and_(visible_cases_filter(user), filters.cases())


def _active_in(filters):
    """Open at some time during the period."""
    return sa.and_(
        Assessment.started_at < filters.end,
        sa.or_(Assessment.closed_at.is_(None), Assessment.closed_at >= filters.start),
    )


def _count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _percent(part, whole):
    if not whole:
        return _("No cases")
    return f"{round(100 * part / whole)}%"


def _days(value):
    return "" if value is None else f"{value:.1f}"


def _month_label(key):
    year, month = key.split("-")
    return month_label(int(year), int(month), current_language())


# --- cases open, started and closed each month ---


def _open_at_month_end(months, cases):
    """Open at the end of a month = open when the first month began, plus every start, less every closure, up to
    that month's end: one pass over each date's index, not every case against every month. Returns (net, open)."""
    first, last = sa.select(sa.func.min(months.c.starts)).scalar_subquery(), sa.select(sa.func.max(months.c.ends))
    last = last.scalar_subquery()
    open_at_first = (
        sa.select(sa.func.count())
        .select_from(Assessment)
        .where(
            cases, Assessment.started_at < first, sa.or_(Assessment.closed_at.is_(None), Assessment.closed_at >= first)
        )
        .scalar_subquery()
    )
    moves = sa.union_all(
        sa.select(month_of(Assessment.started_at).label("key"), sa.literal(1).label("delta")).where(
            cases, Assessment.started_at >= first, Assessment.started_at < last
        ),
        sa.select(month_of(Assessment.closed_at).label("key"), sa.literal(-1).label("delta")).where(
            cases, Assessment.closed_at >= first, Assessment.closed_at < last
        ),
    ).subquery("moves")
    net = sa.select(moves.c.key, sa.func.sum(moves.c.delta).label("n")).group_by(moves.c.key).subquery("net")
    open_at_end = open_at_first + sa.func.sum(sa.func.coalesce(net.c.n, 0)).over(order_by=months.c.key)
    return net, open_at_end


def cases_over_time(filters, user, today):
    months = months_table(filters)
    cases = _cases(filters, user)

    def per_month(column, name):
        return (
            sa.select(month_of(column).label("key"), sa.func.count().label("n"))
            .where(cases, column >= filters.start, column < filters.end)
            .group_by(month_of(column))
            .subquery(name)
        )

    started, closed = per_month(Assessment.started_at, "started"), per_month(Assessment.closed_at, "closed")
    net, open_at_end = _open_at_month_end(months, cases)
    query = (
        sa.select(
            months.c.key,
            sa.func.coalesce(started.c.n, 0),
            sa.func.coalesce(closed.c.n, 0),
            open_at_end,
        )
        .select_from(months)
        .outerjoin(started, started.c.key == months.c.key)
        .outerjoin(closed, closed.c.key == months.c.key)
        .outerjoin(net, net.c.key == months.c.key)
        .order_by(months.c.key)
    )
    table = Table(
        "months",
        _("Cases each month"),
        (
            Column(_("Month")),
            Column(_("Started"), True),
            Column(_("Closed"), True),
            Column(_("Open at the end of the month"), True),
        ),
        query,
        shape=lambda r: (_month_label(r[0]), r[1], r[2], r[3]),
    )
    return Report(
        "cases-over-time",
        _(TITLES["cases-over-time"]),
        _(DESCRIPTIONS["cases-over-time"]),
        [table],
        Chart("months", 0, (1, 2, 3), _("cases")),
    )


# --- cases by state and by agency ---


def cases_by_state_and_agency(filters, user, today):
    cases = sa.and_(_cases(filters, user), _active_in(filters))
    by_state = (
        sa.select(Assessment.state, sa.func.count())
        .where(cases)
        .group_by(Assessment.state)
        .order_by(_state_order(Assessment.state))
    )
    lead = aliased(User)
    agency_name = sa.func.coalesce(Agency.name, _("No lead professional"))
    by_agency = (
        sa.select(agency_name, *[_count_if(Assessment.state == s) for s in STATES], sa.func.count())
        .select_from(Assessment)
        .outerjoin(lead, lead.id == Assessment.lead_id)
        .outerjoin(Agency, Agency.id == lead.agency_id)
        .where(cases)
        .group_by(agency_name)
        .order_by(sa.func.count().desc(), agency_name)
    )
    state_table = Table(
        "states",
        _("Cases by state"),
        (Column(_("State")), Column(_("Cases"), True)),
        by_state,
        shape=lambda r: (translated(STATE_LABELS.get(r[0], r[0])), r[1]),
    )
    return Report(
        "cases-by-state-and-agency",
        _(TITLES["cases-by-state-and-agency"]),
        _(DESCRIPTIONS["cases-by-state-and-agency"]),
        [
            state_table,
            Table(
                "agencies",
                _("Cases by the lead professional's agency"),
                (
                    Column(_("Agency")),
                    *[Column(translated(STATE_LABELS[s]), True) for s in STATES],
                    Column(_("All"), True),
                ),
                by_agency,
            ),
        ],
        Chart("states", 0, (1,), _("cases"), horizontal=True),
    )


def _state_order(column):
    """Sort states in the workflow's order."""
    return sa.case({state: i for i, state in enumerate(STATES)}, value=column, else_=len(STATES))


# --- timeliness ---


def _first_taf_held():
    return (
        sa.select(Meeting.assessment_id, sa.func.min(Meeting.held_on).label("held_on"))
        .where(Meeting.kind == "taf", Meeting.status == "held")
        .group_by(Meeting.assessment_id)
        .subquery("first_taf")
    )


def _reviews_in_time(filters, cases, period):
    """Per month: the reviews held in the period, and those held within the review interval of the meeting before."""
    held = (
        sa.select(
            Meeting.assessment_id,
            Meeting.kind,
            Meeting.held_on,
            sa.func.lag(Meeting.held_on)
            .over(partition_by=Meeting.assessment_id, order_by=(Meeting.held_on, Meeting.id))
            .label("previous"),
        )
        # (the meetings held by the period's end: a meeting's previous one is always before it)
        .where(Meeting.status == "held", Meeting.kind.in_(("taf", "review")), Meeting.held_on <= filters.date_to)
        .subquery("held")
    )
    weeks = current_app.config["EHA_REVIEW_INTERVAL_WEEKS"]
    reviews = (
        sa.select(
            month_of(held.c.held_on).label("key"),
            sa.func.count().label("due"),
            _count_if(days_between(held.c.previous, held.c.held_on) <= 7 * weeks).label("in_time"),
        )
        .select_from(held)
        .join(Assessment, Assessment.id == held.c.assessment_id)
        .where(cases, held.c.kind == "review", held.c.previous.is_not(None), held.c.held_on.between(*period))
        .group_by(month_of(held.c.held_on))
        .subquery("reviews")
    )
    return reviews


def _timeliness_query(filters, user, today, months):
    cases = _cases(filters, user)
    period = (filters.date_from, filters.date_to)
    completed_in_time = sa.and_(
        Assessment.completed_at.is_not(None), days_between(Assessment.assessment_due_on, Assessment.completed_at) < 1
    )
    assessments = (
        sa.select(
            month_of(Assessment.assessment_due_on).label("key"),
            _count_if(sa.or_(Assessment.completed_at.is_not(None), Assessment.assessment_due_on < today)).label("due"),
            _count_if(completed_in_time).label("in_time"),
        )
        .where(cases, Assessment.assessment_due_on.between(*period))
        .group_by(month_of(Assessment.assessment_due_on))
        .subquery("assessments")
    )
    first = _first_taf_held()
    tafs = (
        sa.select(
            month_of(Assessment.first_taf_due_on).label("key"),
            _count_if(sa.or_(first.c.held_on.is_not(None), Assessment.first_taf_due_on < today)).label("due"),
            _count_if(first.c.held_on <= Assessment.first_taf_due_on).label("in_time"),
        )
        .select_from(Assessment)
        .outerjoin(first, first.c.assessment_id == Assessment.id)
        .where(cases, Assessment.first_taf_due_on.between(*period))
        .group_by(month_of(Assessment.first_taf_due_on))
        .subquery("tafs")
    )
    reviews = _reviews_in_time(filters, cases, period)
    parts = (assessments, tafs, reviews)
    query = sa.select(months.c.key).select_from(months)
    for part in parts:
        query = query.add_columns(sa.func.coalesce(part.c.due, 0), sa.func.coalesce(part.c.in_time, 0))
        query = query.outerjoin(part, part.c.key == months.c.key)
    return query.order_by(months.c.key)


def _overdue_query(filters, user, today):
    lead = aliased(User)
    return (
        sa.select(Assessment.ref, Assessment.state, Assessment.next_due_label, Assessment.next_due_on, lead.name)
        .outerjoin(lead, lead.id == Assessment.lead_id)
        .where(
            _cases(filters, user),
            Assessment.state.in_(OPEN_STATES),
            Assessment.next_due_on < today,
        )
        .order_by(Assessment.next_due_on, Assessment.id)
    )


def timeliness(filters, user, today):
    config = current_app.config
    assess_days, taf_days = config["EHA_ASSESSMENT_DUE_WORKING_DAYS"], config["EHA_FIRST_TAF_DUE_WORKING_DAYS"]
    weeks = config["EHA_REVIEW_INTERVAL_WEEKS"]
    months = months_table(filters)

    def shape(r):
        return (
            _month_label(r[0]),
            r[1],
            _percent(r[2], r[1]),
            r[3],
            _percent(r[4], r[3]),
            r[5],
            _percent(r[6], r[5]),
        )

    by_month = Table(
        "months",
        _("Done on time, by the month each was due"),
        (
            Column(_("Month")),
            Column(_("Assessments due"), True),
            Column(_("Completed within %(days)s working days", days=assess_days), True),
            Column(_("First TAF meetings due"), True),
            Column(_("Held within %(days)s working days of the assessment", days=taf_days), True),
            Column(_("Reviews held"), True),
            Column(_("Within %(weeks)s weeks of the last meeting", weeks=weeks), True),
        ),
        _timeliness_query(filters, user, today, months),
        shape=shape,
    )
    overdue = Table(
        "overdue",
        _("Overdue now"),
        (
            Column(_("Case")),
            Column(_("State")),
            Column(_("What is due")),
            Column(_("Due on")),
            Column(_("Lead professional")),
        ),
        _overdue_query(filters, user, today),
        shape=lambda r: (
            r[0],
            translated(STATE_LABELS.get(r[1], r[1])),
            translated(r[2]) or "",
            r[3].isoformat(),
            r[4] or _("Not chosen"),
        ),
        page_rows=PAGE_ROWS,
    )
    return Report(
        "timeliness",
        _(TITLES["timeliness"]),
        _(DESCRIPTIONS["timeliness"], assess_days=assess_days, taf_days=taf_days, weeks=weeks),
        [by_month, overdue],
        Chart("months", 0, (2, 4, 6), "%"),
    )


# --- time in each state ---


def time_in_state(filters, user, today):
    # Each change of state the workflow made in the period (its narrow copy, ``case_moves``): the days since the
    # case's move before it (kept on the move), or since it started. Only the period's moves are read.
    in_period = (
        sa.select(
            CaseMove.from_state.label("state"),
            days_between(sa.func.coalesce(CaseMove.entered_at, Assessment.started_at), CaseMove.at).label("days"),
        )
        .join(Assessment, Assessment.id == CaseMove.assessment_id)
        .where(_cases(filters, user), CaseMove.at >= filters.start, CaseMove.at < filters.end)
        .subquery("in_period")
    )
    ranked = sa.select(
        in_period.c.state,
        in_period.c.days,
        sa.func.row_number().over(partition_by=in_period.c.state, order_by=in_period.c.days).label("rank"),
        sa.func.count().over(partition_by=in_period.c.state).label("n"),
    ).subquery("ranked")
    # Nearest-rank percentiles: the smallest value whose rank is at least p x n.
    query = (
        sa.select(
            ranked.c.state,
            sa.func.max(ranked.c.n),
            sa.func.min(sa.case((ranked.c.rank >= 0.5 * ranked.c.n, ranked.c.days))),
            sa.func.min(sa.case((ranked.c.rank >= 0.9 * ranked.c.n, ranked.c.days))),
        )
        .group_by(ranked.c.state)
        .order_by(_state_order(ranked.c.state))
    )
    table = Table(
        "states",
        _("Days in each state before moving on"),
        (
            Column(_("State")),
            Column(_("Times a case left it"), True),
            Column(_("Median days"), True),
            Column(_("90th percentile"), True),
        ),
        query,
        shape=lambda r: (translated(STATE_LABELS.get(r[0], r[0])), r[1], _days(r[2]), _days(r[3])),
    )
    return Report(
        "time-in-state",
        _(TITLES["time-in-state"]),
        _(DESCRIPTIONS["time-in-state"]),
        [table],
        Chart("states", 0, (2, 3), _("days"), horizontal=True),
    )


# --- needs and outcomes ---


def coded_answers(kind, name="coded"):
    """A select of ``(assessment_id, code)`` for the codes of ``kind`` (``NEED``, ``CIN_FACTOR``) the cases' answers
    pick: the narrow copy written as the answers are saved (``case_codes``), one row per case and code."""
    return sa.select(CaseCode.assessment_id, CaseCode.code).where(CaseCode.kind == kind).subquery(name)


def _codes_with_outcomes(cases):
    """Each code identified (headline needs and census factors, tagged with their kind), the cases identifying
    it and, for a need, the outcomes recorded for it at closure: one statement for both of the report's tables,
    so the cases and their codes are read once."""
    identified = (
        sa.select(CaseCode.kind, CaseCode.code, sa.func.count().label("cases"))  # (one row per case and code)
        .join(Assessment, Assessment.id == CaseCode.assessment_id)
        .where(cases)
        .group_by(CaseCode.kind, CaseCode.code)
        .subquery("identified")
    )
    # The outcomes recorded at closure, one per need the case identified: counted on their own (no join of every
    # need of every case to every outcome).
    outcomes = (
        sa.select(
            NeedOutcome.need_code.label("code"),
            *[_count_if(NeedOutcome.outcome == code).label(code) for code in NEED_OUTCOMES],
        )
        .join(Assessment, Assessment.id == NeedOutcome.assessment_id)
        .where(cases)
        .group_by(NeedOutcome.need_code)
        .subquery("outcomes")
    )
    return (
        sa.select(
            identified.c.kind,
            identified.c.code,
            identified.c.cases,
            *[sa.func.coalesce(outcomes.c[code], 0) for code in NEED_OUTCOMES],
        )
        .select_from(identified)
        .outerjoin(outcomes, sa.and_(identified.c.kind == NEED, outcomes.c.code == identified.c.code))
        .order_by(identified.c.kind, identified.c.cases.desc(), identified.c.code)
    )


def needs(filters, user, today):
    cases = sa.and_(_cases(filters, user), _active_in(filters))
    both = _SharedRows(_codes_with_outcomes(cases))
    return Report(
        "needs",
        _(TITLES["needs"]),
        _(DESCRIPTIONS["needs"]),
        [
            _PartTable(
                "needs",
                _("Needs identified and outcomes at closure"),
                (
                    Column(_("Need")),
                    Column(_("Cases"), True),
                    *[
                        Column(_("Outcome: %(outcome)s", outcome=lower_first(_(label))), True)
                        for label in NEED_OUTCOMES.values()
                    ],
                ),
                both.query,
                shape=lambda r: (translated(coded.label(r[1])), *r[2:]),
                source=both,
                part=NEED,
            ),
            _PartTable(
                "cin-factors",
                _("Children in need census factors"),
                (Column(_("Code")), Column(_("Factor")), Column(_("Cases"), True)),
                both.query,
                shape=lambda r: (r[1], translated(coded.label(r[1])), r[2]),
                source=both,
                part=CIN_FACTOR,
            ),
        ],
        Chart("needs", 0, (1,), _("cases"), horizontal=True),
    )


# --- closures, step-ups and step-downs ---


def closures(filters, user, today):
    closed = sa.and_(_cases(filters, user), Assessment.closed_at >= filters.start, Assessment.closed_at < filters.end)
    reasons = (
        sa.select(Assessment.closure_reason, sa.func.count())
        .where(closed)
        .group_by(Assessment.closure_reason)
        .order_by(sa.func.count().desc(), Assessment.closure_reason)
    )
    months = months_table(filters)
    per_month = (
        sa.select(
            month_of(Assessment.closed_at).label("key"),
            _count_if(Assessment.closure_reason == STEPPED_UP).label("up"),
            _count_if(Assessment.closure_reason == STEPPED_DOWN).label("down"),
            sa.func.count().label("all"),
        )
        .where(closed)
        .group_by(month_of(Assessment.closed_at))
        .subquery("per_month")
    )
    steps = (
        sa.select(
            months.c.key,
            sa.func.coalesce(per_month.c.up, 0),
            sa.func.coalesce(per_month.c.down, 0),
            sa.func.coalesce(per_month.c.all, 0),
        )
        .select_from(months)
        .outerjoin(per_month, per_month.c.key == months.c.key)
        .order_by(months.c.key)
    )
    return Report(
        "closures",
        _(TITLES["closures"]),
        _(DESCRIPTIONS["closures"]),
        [
            Table(
                "reasons",
                _("Closure reasons"),
                (Column(_("Reason")), Column(_("Cases"), True)),
                reasons,
                shape=lambda r: (translated(CLOSURE_REASONS.get(r[0], r[0])) or _("Not recorded"), r[1]),
            ),
            Table(
                "months",
                _("Step-ups and step-downs each month"),
                (
                    Column(_("Month")),
                    Column(_("Stepped up"), True),
                    Column(_("Stepped down"), True),
                    Column(_("All closures"), True),
                ),
                steps,
                shape=lambda r: (_month_label(r[0]), r[1], r[2], r[3]),
            ),
        ],
        Chart("reasons", 0, (1,), _("cases"), horizontal=True),
    )


# --- distance travelled ---


def _first_and_latest_reviews(filters, user):
    """Each case reviewed at least twice in the period: its first and latest review's dates and scores, read in
    one pass over the period's reviews (numbered in order, and counted), not three joins of every review."""
    ranked = (
        sa.select(
            Review.assessment_id,
            Review.created_at,
            Review.family_score,
            Review.practitioner_score,
            sa.func.row_number().over(partition_by=Review.assessment_id, order_by=Review.id).label("from_first"),
            # (the latest is the one numbered as many as there are: one order to sort by, which an index holds)
            sa.func.count().over(partition_by=Review.assessment_id).label("reviews"),
        )
        .where(Review.created_at >= filters.start, Review.created_at < filters.end)
        .subquery("ranked")
    )

    ends_at = {"from_first": ranked.c.from_first == 1, "from_latest": ranked.c.from_first == ranked.c.reviews}

    def at(end, column):
        return sa.func.max(sa.case((ends_at[end], column)))

    ends = (
        sa.select(
            ranked.c.assessment_id,
            *[
                at(end, column).label(f"{end}_{column.key}")
                for end in ("from_first", "from_latest")
                for column in (ranked.c.created_at, ranked.c.family_score, ranked.c.practitioner_score)
            ],
        )
        .group_by(ranked.c.assessment_id)
        .having(sa.func.count() > 1)
        .subquery("ends")
    )
    return (
        sa.select(
            Assessment.ref,
            ends.c.from_first_created_at,
            ends.c.from_latest_created_at,
            ends.c.from_first_family_score,
            ends.c.from_latest_family_score,
            ends.c.from_first_practitioner_score,
            ends.c.from_latest_practitioner_score,
        )
        .select_from(ends)
        .join(Assessment, Assessment.id == ends.c.assessment_id)
        .where(_cases(filters, user))
    )


def _direction(first, latest):
    return sa.case((latest > first, "up"), (latest < first, "down"), else_="same")


def distance_travelled(filters, user, today):
    pairs = _first_and_latest_reviews(filters, user).cte("pairs")  # computed once for both rows
    cols = list(pairs.c)
    family = _direction(cols[3], cols[4])
    practitioner = _direction(cols[5], cols[6])
    summary = sa.union_all(
        *[
            sa.select(
                sa.literal(whose, sa.String), *[_count_if(moved == d) for d in ("up", "same", "down")]
            ).select_from(pairs)
            for whose, moved in ((_("The family's"), family), (_("The practitioner's"), practitioner))
        ]
    )
    summary_table = Table(
        "summary",
        _("How many moved up, stayed or moved down"),
        (
            Column(_("Whose score")),
            Column(_("Moved up"), True),
            Column(_("Stayed the same"), True),
            Column(_("Moved down"), True),
        ),
        summary,
    )
    per_case = Table(
        "cases",
        _("First and latest review scores for each case"),
        (
            Column(_("Case")),
            Column(_("First review")),
            Column(_("Latest review")),
            Column(_("Family: first"), True),
            Column(_("Family: latest"), True),
            Column(_("Practitioner: first"), True),
            Column(_("Practitioner: latest"), True),
        ),
        _first_and_latest_reviews(filters, user).order_by(Assessment.ref),
        shape=lambda r: (r[0], r[1].date().isoformat(), r[2].date().isoformat(), *r[3:]),
        page_rows=PAGE_ROWS,
    )
    return Report(
        "distance-travelled",
        _(TITLES["distance-travelled"]),
        _(DESCRIPTIONS["distance-travelled"]),
        [summary_table, per_case],
        Chart("summary", 0, (1, 2, 3), _("cases")),
    )


# --- re-referrals ---


def _re_referrals(filters, user):
    earlier_child, later_child = aliased(AssessmentChild), aliased(AssessmentChild)
    earlier, later = aliased(Assessment), aliased(Assessment)
    gap = days_between(earlier.closed_at, later.started_at)
    return (
        sa.select(
            later.ref.label("ref"),
            earlier.ref.label("earlier_ref"),
            later_child.child_id.label("child_id"),
            earlier.closed_at.label("closed_at"),
            later.started_at.label("started_at"),
            gap.label("days"),
        )
        .select_from(later_child)
        .join(later, later.id == later_child.assessment_id)
        .join(earlier_child, earlier_child.child_id == later_child.child_id)
        .join(earlier, earlier.id == earlier_child.assessment_id)
        .where(
            earlier.id != later.id,
            earlier.closed_at.is_not(None),
            earlier.closed_at <= later.started_at,
            gap <= 365,
            later.started_at >= filters.start,
            later.started_at < filters.end,
            later.id.in_(sa.select(Assessment.id).where(_cases(filters, user))),
        )
    )


def re_referrals(filters, user, today):
    found = _re_referrals(filters, user).subquery("found")
    months = months_table(filters)
    per_month = (
        sa.select(
            month_of(found.c.started_at).label("key"),
            sa.func.count(sa.distinct(found.c.child_id)).label("children"),
        )
        .group_by(month_of(found.c.started_at))
        .subquery("per_month")
    )
    by_month = (
        sa.select(months.c.key, sa.func.coalesce(per_month.c.children, 0))
        .select_from(months)
        .outerjoin(per_month, per_month.c.key == months.c.key)
        .order_by(months.c.key)
    )
    listing = _re_referrals(filters, user).order_by(sa.text("started_at"), sa.text("ref"))
    return Report(
        "re-referrals",
        _(TITLES["re-referrals"]),
        _(DESCRIPTIONS["re-referrals"]),
        [
            Table(
                "months",
                _("Children re-referred each month"),
                (Column(_("Month")), Column(_("Children"), True)),
                by_month,
                shape=lambda r: (_month_label(r[0]), r[1]),
            ),
            Table(
                "episodes",
                _("The new episodes"),
                (
                    Column(_("New case")),
                    Column(_("Earlier case")),
                    Column(_("Earlier case closed")),
                    Column(_("New case started")),
                    Column(_("Days between"), True),
                ),
                listing,
                shape=lambda r: (r[0], r[1], r[3].date().isoformat(), r[4].date().isoformat(), round(r[5])),
                page_rows=PAGE_ROWS,
            ),
        ],
        Chart("months", 0, (1,), _("children")),
    )


# --- caseload and the multi-agency picture ---


def caseload(filters, user, today):
    open_cases = sa.and_(_cases(filters, user), Assessment.state.in_(OPEN_STATES))
    # The open cases counted per lead professional's id first (an integer hash aggregate, a row per lead), then
    # named and summed per agency: the agencies' names are sorted once per lead, not once per case.
    counted = (
        sa.select(Assessment.lead_id, sa.func.count().label("n"))
        .where(open_cases, Assessment.lead_id.is_not(None))
        .group_by(Assessment.lead_id)
        .subquery("counted")
    )
    lead = aliased(User)
    per_lead = (
        sa.select(lead.name, Agency.name, counted.c.n)
        .select_from(counted)
        .join(lead, lead.id == counted.c.lead_id)
        .join(Agency, Agency.id == lead.agency_id)
        .order_by(counted.c.n.desc(), lead.name)
    )
    cases = sa.cast(sa.func.sum(counted.c.n), sa.Integer)
    per_agency = (
        sa.select(Agency.name, cases, sa.func.count())
        .select_from(counted)
        .join(lead, lead.id == counted.c.lead_id)
        .join(Agency, Agency.id == lead.agency_id)
        .group_by(Agency.name)
        .order_by(cases.desc(), Agency.name)
    )
    return Report(
        "caseload",
        _(TITLES["caseload"]),
        _(DESCRIPTIONS["caseload"]),
        [
            Table(
                "agencies",
                _("Open cases by the lead professional's agency"),
                (Column(_("Agency")), Column(_("Open cases"), True), Column(_("Lead professionals"), True)),
                per_agency,
            ),
            Table(
                "leads",
                _("Open cases by lead professional"),
                (Column(_("Lead professional")), Column(_("Agency")), Column(_("Open cases"), True)),
                per_lead,
                page_rows=PAGE_ROWS,
            ),
        ],
        Chart("agencies", 0, (1,), _("cases"), horizontal=True),
        period_note=_("Caseload is the cases open now, whatever the period."),
    )


def _taf_members_by_kind_and_agency(filters, user):
    """One statement whose rows are part 0, per kind of agency, and part 1, per agency: (part, sort key, name,
    kind, plans, members)."""
    with_plan = sa.and_(
        _cases(filters, user),
        _active_in(filters),
        Assessment.id.in_(sa.select(PlanVersion.assessment_id).where(PlanVersion.status.in_(("signed", "superseded")))),
    )
    # The members are joined to their cases, plans and agencies once (a CTE read twice is computed once), and
    # counted by kind and by agency in the same statement: one pass over the join at county scale, not two.
    members = (
        sa.select(TafMember.assessment_id, User.agency_id)
        .join(User, User.id == TafMember.user_id)
        .join(Assessment, Assessment.id == TafMember.assessment_id)
        .where(with_plan, TafMember.removed_at.is_(None))
        .cte("members")
    )
    # (grouped by the agency's id, an integer, and only then named: sorting every member by a name costs more)
    per_agency = (
        sa.select(
            members.c.agency_id,
            sa.func.count(sa.distinct(members.c.assessment_id)).label("plans"),
            sa.func.count().label("members"),
        )
        .group_by(members.c.agency_id)
        .subquery("per_agency")
    )
    parts = sa.union_all(
        sa.select(
            sa.literal_column("0").label("part"),
            Agency.kind.label("sort_key"),
            sa.null().label("name"),
            Agency.kind,
            sa.func.count(sa.distinct(members.c.assessment_id)).label("plans"),
            sa.func.count().label("members"),
        )
        .select_from(members)
        .join(Agency, Agency.id == members.c.agency_id)
        .group_by(Agency.kind),
        sa.select(
            sa.literal_column("1"), Agency.name, Agency.name, Agency.kind, per_agency.c.plans, per_agency.c.members
        )
        .select_from(per_agency)
        .join(Agency, Agency.id == per_agency.c.agency_id),
    ).subquery("parts")
    return sa.select(parts).order_by(parts.c.part, parts.c.plans.desc(), parts.c.sort_key)


def taf_involvement(filters, user, today):
    both = _SharedRows(_taf_members_by_kind_and_agency(filters, user))
    return Report(
        "taf-involvement",
        _(TITLES["taf-involvement"]),
        _(DESCRIPTIONS["taf-involvement"]),
        [
            _PartTable(
                "kinds",
                _("Plans with a TAF member from each kind of agency"),
                (Column(_("Kind of agency")), Column(_("Plans"), True), Column(_("TAF members"), True)),
                both.query,
                shape=lambda r: (translated(AGENCY_KINDS.get(r[3], r[3])), r[4], r[5]),
                source=both,
                part=0,
            ),
            _PartTable(
                "agencies",
                _("Plans by agency"),
                (Column(_("Agency")), Column(_("Kind")), Column(_("Plans"), True), Column(_("TAF members"), True)),
                both.query,
                shape=lambda r: (r[2], translated(AGENCY_KINDS.get(r[3], r[3])), r[4], r[5]),
                source=both,
                part=1,
            ),
        ],
        Chart("kinds", 0, (1,), _("plans"), horizontal=True),
    )


REPORTS = {
    "cases-over-time": cases_over_time,
    "cases-by-state-and-agency": cases_by_state_and_agency,
    "timeliness": timeliness,
    "time-in-state": time_in_state,
    "needs": needs,
    "closures": closures,
    "distance-travelled": distance_travelled,
    "re-referrals": re_referrals,
    "caseload": caseload,
    "taf-involvement": taf_involvement,
}
TITLES = {
    "cases-over-time": N_("Cases open, started and closed"),
    "cases-by-state-and-agency": N_("Cases by state and by agency"),
    "timeliness": N_("Timeliness"),
    "time-in-state": N_("Time in each state"),
    "needs": N_("Needs and outcomes"),
    "closures": N_("Closures, step-ups and step-downs"),
    "distance-travelled": N_("Distance travelled"),
    "re-referrals": N_("Re-referrals"),
    "caseload": N_("Caseload"),
    "taf-involvement": N_("The multi-agency picture"),
}

# What each report shows, in a sentence (under its title).
DESCRIPTIONS = {
    "cases-over-time": N_(
        "How many early help episodes started and closed each month, and how many were open at the end of it."
    ),
    "cases-by-state-and-agency": N_(
        "The cases open at some time in the period, by their state now and by the lead professional's agency."
    ),
    "timeliness": N_(
        "Assessments completed within %(assess_days)s working days, first Team Around the Family meetings within "
        "%(taf_days)s working days of the assessment, and reviews within %(weeks)s weeks, as percentages of those "
        "due each month (one not done and not yet due is not counted), with the cases overdue now."
    ),
    "time-in-state": N_(
        "How long cases stayed in each state before moving on, from the workflow's transition history: the "
        "median and the 90th percentile (nine in ten moved on sooner), for the moves made in the period."
    ),
    "needs": N_(
        "The Supporting Families headline needs the assessments identified, with the outcome recorded for each "
        "at closure, and the children in need census factors recorded, for the cases open at some time in the "
        "period."
    ),
    "closures": N_(
        "Why the cases closed in the period closed, and each month how many stepped up to children's social "
        "care or down to one agency or universal services."
    ),
    "distance-travelled": N_(
        "The family's and the practitioner's 0 to 10 \"where are things now?\" scores at the first review "
        "against the latest, for the cases reviewed at least twice in the period."
    ),
    "re-referrals": N_(
        "Children with a new early help episode that started within 12 months of an earlier one closing."
    ),
    "caseload": N_("The open cases each lead professional leads now, and each agency's share."),
    "taf-involvement": N_(
        "Which kinds of agency take part in how many plans: Team Around the Family members on the cases with an "
        "agreed plan, open at some time in the period."
    ),
}


def build(name, filters, user, today=None):
    """The report ``name`` (a ``REPORTS`` key) for ``filters`` as ``user`` may see it; KeyError if none."""
    return REPORTS[name](filters, user, today or date.today())
