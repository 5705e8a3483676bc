"""Reports for early help managers: cases by state, the access review, duty-to-share grants, the reports of
``eha.reports`` with their CSV exports, and the returns."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from eha import audit
from eha.errors import Invalid
from eha.extensions import db
from eha.i18n import N_, translated
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent, AuditLink
from eha.models.base import utcnow
from eha.models.choices import role_label
from eha.models.report_facts import CaseOpening, CaseStateCount, case_opening_events
from eha.models.users import Agency, User
from eha.pagination import page_number, paginate
from eha.reports import catalogue, charts, export, returns
from eha.reports.filters import DATE_INPUTS, date_input_values, financial_year_start, parse_filters
from eha.reports.filters import choices as filter_choices
from eha.services import grants as grant_service
from eha.transaction import autocommit
from eha.workflow.states import STATES

# The access review's window: cases each person opened in these last days (eha.models.report_facts.CaseOpening).
REVIEW_DAYS = 90
# The period's two date inputs: their legends and hints, whole sentences to translate.
_DATE_LEGENDS = {"from": N_("The start of the period"), "to": N_("The end of the period")}
_DATE_HINTS = {"from": N_("For example, 1 4 2025"), "to": N_("For example, 31 3 2026")}
_DATE_PART_LABELS = {"day": N_("Day"), "month": N_("Month"), "year": N_("Year")}


def cases_by_state():
    """``([(state, count)] in the workflow's order, total)``, from the counts kept beside the cases (a few rows,
    however many cases there are)."""
    counts = dict(db.session.execute(sa.select(CaseStateCount.state, CaseStateCount.cases)).all())
    return [(state, counts.get(state, 0)) for state in STATES], sum(counts.values())


def _cases_opened(since):
    """``(user_id, cases_opened)`` since ``since``: the distinct cases each person opened, from the kept pairs
    (``case_openings``, which the chainer writes as it links events) and the opening events not linked yet (the
    last seconds', from ``eha.audit.unlinked_from`` on: a few rows), so the count is as exact as the events
    without reading a quarter of them."""
    links = AuditLink.__table__
    kept = sa.select(CaseOpening.user_id, CaseOpening.assessment_id).where(CaseOpening.last_opened_at >= since)
    not_linked_yet = sa.select(AuditEvent.user_id, AuditEvent.assessment_id).where(
        AuditEvent.seq >= audit.unlinked_from(),
        AuditEvent.prev_hash == "",
        ~sa.exists().where(links.c.event_id == AuditEvent.id),
        *case_opening_events(),
        AuditEvent.occurred_at >= since,
    )
    pairs = sa.union(kept, not_linked_yet).subquery()
    return (
        sa.select(pairs.c.user_id.label("user_id"), sa.func.count().label("cases_opened"))
        .group_by(pairs.c.user_id)
        .subquery()
    )


def access_review_query(since):
    opened = _cases_opened(since)
    cases_opened = sa.func.coalesce(opened.c.cases_opened, 0)
    # The columns the page shows, not whole users (password hashes and authenticator secrets included) with their
    # agencies: everyone with an account is sorted for the page, 1,009 people at the county bench (issue 14).
    return (
        sa.select(
            User.name,
            User.email,
            User.active,
            User.role,
            User.last_sign_in_at,
            Agency.name.label("agency_name"),
            cases_opened.label("cases_opened"),
        )
        .join(Agency, Agency.id == User.agency_id)
        .outerjoin(opened, opened.c.user_id == User.id)
        .order_by(cases_opened.desc(), sa.func.lower(User.name), User.id)
    )


@dataclass(frozen=True)
class ReviewedAccount:
    """One person on the access review: what its table shows."""

    name: str
    email: str
    active: bool
    role: str
    last_sign_in_at: object
    agency_name: str

    @property
    def role_label(self):
        return role_label(self.role)


class RowPage:
    """A page of rows (``(user, cases opened)``, not scalars), shaped like Flask-SQLAlchemy's pagination for the
    ``pagination`` component; the page number is ``eha.pagination``'s, so it is always a bounded one."""

    def __init__(self, stmt, total, per_page=None):
        self.per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
        self.page, self.total = page_number(), total
        self.pages = max(1, -(-total // self.per_page))
        self.items = db.session.execute(stmt.limit(self.per_page).offset((self.page - 1) * self.per_page)).all()
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def access_review():
    """A page of everyone with an account, with how many cases each opened in the last ``REVIEW_DAYS`` days."""
    since = utcnow() - timedelta(days=REVIEW_DAYS)
    page = RowPage(access_review_query(since), db.session.scalar(sa.select(sa.func.count()).select_from(User)))
    page.items = [
        (
            ReviewedAccount(row.name, row.email, row.active, row.role, row.last_sign_in_at, row.agency_name),
            row.cases_opened,
        )
        for row in page.items
    ]
    return page


def grants():
    """A page of every duty-to-share grant, current ones first."""
    return paginate(grant_service.all_grants())


# --- the managers' reports, their CSV exports and the returns (issue 15) ---


@dataclass(frozen=True)
class ReportPage:
    report: object
    filters: object
    errors: list
    selects: list
    chart_svg: str
    chart_text: str
    date_inputs: list = ()


def report_page(name, args, user, today=None):
    """Everything the report page shows; KeyError for a report that does not exist. A fixed number of queries:
    the filter choices, one per table."""
    if name not in catalogue.REPORTS:
        raise KeyError(name)
    chosen, errors = parse_filters(args, today)
    report = catalogue.build(name, chosen, user, today)
    svg, text = charts.report_chart(report)
    selects = filter_selects(chosen, filter_choices(), errors)
    return ReportPage(report, chosen, errors, selects, svg, text, date_inputs(args, chosen, errors))


def date_inputs(args, filters, errors):
    """The ``govukDateInput`` parameters of the period's start and end, keeping what was typed."""
    messages = dict(errors)
    values = date_input_values(args, filters)
    inputs = []
    for name in DATE_INPUTS:
        message = messages.get(f"{name}-day")
        params = {
            "id": name,
            "namePrefix": name,
            "fieldset": {"legend": {"text": _(_DATE_LEGENDS[name]), "classes": "govuk-fieldset__legend--s"}},
            "hint": {"text": _(_DATE_HINTS[name])},
            "items": [
                {
                    "name": part,
                    "label": _(_DATE_PART_LABELS[part]),
                    "value": values[name][part],
                    "classes": ("govuk-input--width-4" if part == "year" else "govuk-input--width-2")
                    + (" govuk-input--error" if message else ""),
                }
                for part in ("day", "month", "year")
            ],
        }
        if message:
            params["errorMessage"] = {"text": message}
        inputs.append(params)
    return inputs


def _items(pairs, chosen, none_text):
    items = [{"value": "", "text": none_text}]
    items += [{"value": value, "text": text, "selected": value == chosen} for value, text in pairs]
    return items


def _period_items(filters, periods, typed):
    chosen = "custom" if typed else filters.period
    return [{"value": code, "text": _(text), "selected": code == chosen} for code, text in periods.items()]


def filter_selects(filters, choices, errors):
    """The filter form's ``govukSelect`` parameters, in two columns, with each field's error."""
    messages = dict(errors)
    typed = any(field in messages for field in ("from-day", "to-day"))
    states = [(code, translated(label)) for code, label in choices["states"].items()]

    def select(name, label, items):
        params = {"id": name, "name": name, "label": {"text": label}, "items": items}
        if name in messages:
            params["errorMessage"] = {"text": messages[name]}
        return params

    return [
        [
            select("period", _("Period"), _period_items(filters, choices["periods"], typed)),
            select("state", _("State now"), _items(states, filters.state, _("Any state"))),
            select("lead", _("Lead professional"), _items(choices["leads"], filters.lead_id, _("Anyone"))),
        ],
        [
            select(
                "lead_agency",
                _("Lead professional's agency"),
                _items(choices["agencies"], filters.lead_agency_id, _("Any agency")),
            ),
            select(
                "taf_agency",
                _("Agency of a TAF member"),
                _items(choices["agencies"], filters.taf_agency_id, _("Any agency")),
            ),
        ],
    ]


def _export_detail(what, filters=None, fmt="csv", **extra):
    detail = {"export": what, "format": fmt, **extra}
    if filters is not None:
        detail["filters"] = filters.audit_detail()
    return detail


@autocommit
def _record_export(user, detail):
    audit.record("export", user=user, detail=detail)


EXPORT_FORMATS = ("csv", "xlsx")


def export_report(name, key, args, user, today=None, fmt="csv"):
    """``(file name, chunks)`` for table ``key`` of report ``name`` as CSV text or .xlsx bytes (``fmt``), after
    recording the ``export`` audit event (its detail names the report, the table, the format and the filters:
    codes and ids only). KeyError when either does not exist; ``Invalid`` for filters that are not offered."""
    if fmt not in EXPORT_FORMATS:
        raise KeyError(fmt)
    chosen, errors = parse_filters(args, today)
    if errors:
        raise Invalid(errors[0][1], field=errors[0][0])
    table = catalogue.build(name, chosen, user, today).table(key)
    if table is None:
        raise KeyError(key)
    _record_export(user, _export_detail(f"report:{name}:{key}", chosen, fmt))
    filename = f"{name}-{key}-{chosen.date_from.isoformat()}-to-{chosen.date_to.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return filename, export.xlsx_chunks(table.caption, table.headers, table.stream())
    return filename, export.csv_lines(table.headers, table.stream())


def return_period(args, today=None):
    """``(from, to)`` of a return from ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (neither: the last financial year);
    ``Invalid`` when they are not dates in order."""
    if not args.get("from") and not args.get("to"):
        _label, first, last = financial_years(today, 2)[1]
        return first, last
    chosen, errors = parse_filters({"from": args.get("from", ""), "to": args.get("to", "")}, today)
    if errors or chosen.period != "custom":
        raise Invalid(_("Enter the return's period as two dates, YYYY-MM-DD, the first on or before the second."))
    return chosen.date_from, chosen.date_to


def export_return(name, args, user, today=None):
    """``(file name, CSV chunks)`` of the return ``name`` for the period in ``args``, audited as an export."""
    if name not in returns.RETURNS:
        raise KeyError(name)
    date_from, date_to = return_period(args, today)
    table = returns.table(name, date_from, date_to, today)
    _record_export(user, _export_detail(f"return:{name}", **{"from": date_from.isoformat(), "to": date_to.isoformat()}))
    return f"{name}-{date_from.isoformat()}-to-{date_to.isoformat()}.csv", export.csv_lines(
        table.headers, table.stream()
    )


def financial_years(today=None, count=3):
    """The last ``count`` financial years (1 April to 31 March), newest first, as ``(label, from, to)``."""
    start = financial_year_start(today or date.today())
    years = []
    for back in range(count):
        first = date(start.year - back, 4, 1)
        last = date(first.year + 1, 3, 31)
        years.append((_("April %(first)s to March %(last)s", first=first.year, last=last.year), first, last))
    return years


def export_case_list(user, *, state=None, text=None, needs=None):
    """``(file name, CSV chunks)`` of the case list as filtered on ``/assessments`` (only the cases ``user`` may
    see), audited as an export. The detail names the filters' codes, never the search text."""
    from sqlalchemy.orm import aliased

    from eha.models.families import Family
    from eha.reports.tables import Column, Table
    from eha.services.assessments import case_list
    from eha.workflow.states import STATE_LABELS

    lead = aliased(User)
    query = (
        case_list(user, state=state, text=text, needs=needs)
        .with_only_columns(
            Assessment.ref,
            Assessment.state,
            Family.name,
            Assessment.next_due_label,
            Assessment.next_due_on,
            lead.name,
            Assessment.started_at,
            Assessment.closed_at,
        )
        .join(Family, Family.id == Assessment.family_id)
        .outerjoin(lead, lead.id == Assessment.lead_id)
    )
    table = Table(
        "cases",
        "Cases",
        tuple(
            Column(label)
            for label in (
                "Reference",
                "State",
                "Family",
                "Next due",
                "Due on",
                "Lead professional",
                "Started",
                "Closed",
            )
        ),
        query,
        shape=lambda r: (
            r[0],
            STATE_LABELS.get(r[1], r[1]),
            r[2],
            r[3] or "",
            r[4].isoformat() if r[4] else "",
            r[5] or "",
            r[6].date().isoformat(),
            r[7].date().isoformat() if r[7] else "",
        ),
    )
    detail = {"export": "case-list", "format": "csv", "state": state or None, "needs": needs or None}
    _record_export(user, {**detail, "searched": bool(text)})
    return "cases.csv", export.csv_lines(table.headers, table.stream())
