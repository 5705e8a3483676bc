"""What a report is about: the period, the agency of the lead professional or of a TAF member, the lead
professional and the state. Parsed from a mapping (a request's arguments, or the API's), never from Flask's
request itself, so a CLI or the API can use the same reports."""

from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from eha.extensions import db
from eha.i18n import N_
from eha.models.assessments import Assessment, TafMember
from eha.models.users import Agency, User
from eha.workflow.states import STATE_LABELS

# Periods offered on the page: code -> (label, months back from the start of this month, or a financial year).
PERIODS = {
    "3m": N_("The last 3 months"),
    "6m": N_("The last 6 months"),
    "12m": N_("The last 12 months"),
    "18m": N_("The last 18 months"),
    "fy": N_("This financial year (from 1 April)"),
    "last-fy": N_("The last financial year"),
    "custom": N_("Dates I choose (below)"),
}
DEFAULT_PERIOD = "12m"
_MONTHS = {"3m": 3, "6m": 6, "12m": 12, "18m": 18}
_MAX_ID = 2**31 - 1
MAX_PERIOD_DAYS = 3660  # ten years
# The page's two GOV.UK date inputs: ``from-day``, ``from-month``, ``from-year`` and the same for ``to``.
DATE_INPUTS = {"from": "start", "to": "end"}
DATE_PARTS = ("day", "month", "year")
# Each input's messages, whole sentences so that each can be translated (``start``/``end`` as words would not be).
_NOT_ENTERED = {"from": N_("Enter the start of the period"), "to": N_("Enter the end of the period")}
_NOT_REAL = {
    "from": N_("The start of the period must be a real date, for example 1 4 2025"),
    "to": N_("The end of the period must be a real date, for example 1 4 2025"),
}


def months_back(today, months):
    """The first day of the month ``months - 1`` months before ``today``'s month."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def financial_year_start(day):
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def period_dates(code, today=None):
    """``(first day, last day)`` of the period ``code`` (both included)."""
    today = today or date.today()
    if code in _MONTHS:
        return months_back(today, _MONTHS[code]), today
    start = financial_year_start(today)
    if code == "fy":
        return start, today
    return date(start.year - 1, 4, 1), start - timedelta(days=1)


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    period: str = DEFAULT_PERIOD
    lead_agency_id: int | None = None
    taf_agency_id: int | None = None
    lead_id: int | None = None
    state: str | None = None

    def query_args(self):
        """The filters as the page's query string arguments (ids and codes only)."""
        args = {"period": self.period}
        if self.period == "custom":
            args = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for key, value in (
            ("lead_agency", self.lead_agency_id),
            ("taf_agency", self.taf_agency_id),
            ("lead", self.lead_id),
            ("state", self.state),
        ):
            if value is not None:
                args[key] = value
        return args

    def audit_detail(self):
        return {k: v for k, v in self.query_args().items()}

    def cases(self):
        """A SQL condition on ``Assessment`` for the agency, lead and state filters (not the period: each report
        says which of its dates the period applies to)."""
        conditions = []
        if self.lead_agency_id is not None:
            conditions.append(Assessment.lead_id.in_(sa.select(User.id).where(User.agency_id == self.lead_agency_id)))
        if self.taf_agency_id is not None:
            conditions.append(
                Assessment.id.in_(
                    sa.select(TafMember.assessment_id)
                    .join(User, User.id == TafMember.user_id)
                    .where(User.agency_id == self.taf_agency_id, TafMember.removed_at.is_(None))
                )
            )
        if self.lead_id is not None:
            conditions.append(Assessment.lead_id == self.lead_id)
        if self.state is not None:
            conditions.append(Assessment.state == self.state)
        return sa.and_(sa.true(), *conditions)

    @property
    def start(self):
        """The period's first moment (naive UTC, as the timestamps are stored)."""
        from datetime import datetime, time

        return datetime.combine(self.date_from, time.min)

    @property
    def end(self):
        """The moment after the period's last day."""
        from datetime import datetime, time

        return datetime.combine(self.date_to + timedelta(days=1), time.min)

    def with_period(self, date_from, date_to):
        return replace(self, date_from=date_from, date_to=date_to, period="custom")


def default_filters(today=None):
    start, end = period_dates(DEFAULT_PERIOD, today)
    return Filters(date_from=start, date_to=end)


def _id(raw):
    raw = (raw or "").strip()
    if not raw:
        return None, False
    if not raw.isascii() or not raw.isdigit() or int(raw) > _MAX_ID:
        return None, True
    return int(raw), False


def _iso(raw):
    try:
        return date.fromisoformat((raw or "").strip()), False
    except ValueError:
        return None, True


def _date_parts(args, name):
    """The day, month and year typed into the date input ``name``, stripped (at most 10 characters each)."""
    return {part: (args.get(f"{name}-{part}") or "").strip()[:10] for part in DATE_PARTS}


def _typed_date(parts):
    """The date in ``parts``, or None when it is not a real date (a 4-digit year from 1900)."""
    if not all(v.isascii() and v.isdigit() for v in parts.values()) or len(parts["year"]) != 4:
        return None
    try:
        day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def _dates_chosen(args, errors):
    """``(start, end)`` from the page's date inputs; on a mistake, (None, None) and an error on that input."""
    chosen = {}
    for name in DATE_INPUTS:
        parts = _date_parts(args, name)
        if not any(parts.values()):
            errors.append((f"{name}-day", _(_NOT_ENTERED[name])))
        elif (chosen_date := _typed_date(parts)) is None:
            errors.append((f"{name}-day", _(_NOT_REAL[name])))
        else:
            chosen[name] = chosen_date
    if len(chosen) < 2:
        return None, None
    start, end = chosen["from"], chosen["to"]
    if end < start:
        errors.append(("to-day", _("The end of the period must be the same as or after its start")))
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors.append(("to-day", _("The period must be 10 years or shorter")))
    else:
        return start, end
    return None, None


def typed_dates_given(args):
    """Whether the page's date inputs are what the period is: "Dates I choose" picked (or no period picked) with
    dates typed, or picked without the address's ``from`` and ``to``. A preset picked wins over dates left in the
    inputs from before."""
    period = (args.get("period") or "").strip()
    if period not in ("", "custom"):
        return False
    if any(any(_date_parts(args, name).values()) for name in DATE_INPUTS):
        return True
    return period == "custom" and not (args.get("from") or args.get("to"))


def date_input_values(args, filters):
    """What the date inputs show: what was typed (kept as typed, mistakes too), else the custom period's dates."""
    if typed_dates_given(args):
        return {name: _date_parts(args, name) for name in DATE_INPUTS}
    if filters.period != "custom":
        return {name: dict.fromkeys(DATE_PARTS, "") for name in DATE_INPUTS}
    return {
        name: {"day": str(day.day), "month": str(day.month), "year": str(day.year)}
        for name, day in (("from", filters.date_from), ("to", filters.date_to))
    }


def _period(args, today, errors):
    if typed_dates_given(args):
        start, end = _dates_chosen(args, errors)
        if start is not None:
            return start, end, "custom"
        start, end = period_dates(DEFAULT_PERIOD, today)
        return start, end, DEFAULT_PERIOD
    if args.get("from") or args.get("to"):
        start, bad_start = _iso(args.get("from"))
        end, bad_end = _iso(args.get("to"))
        if bad_start or bad_end or start is None or end is None:
            errors.append(("period", _("Enter the period's dates as YYYY-MM-DD")))
        elif end < start:
            errors.append(("period", _("The end of the period must be the same as or after its start")))
        elif (end - start).days > MAX_PERIOD_DAYS:
            errors.append(("period", _("The period must be 10 years or shorter")))
        else:
            return start, end, "custom"
    code = (args.get("period") or DEFAULT_PERIOD).strip()
    if code not in PERIODS or code == "custom":
        errors.append(("period", _("Choose a period from the list")))
        code = DEFAULT_PERIOD
    start, end = period_dates(code, today)
    return start, end, code


def _known(model, value):
    return value is None or db.session.get(model, value) is not None


def parse_filters(args, today=None):
    """``(Filters, [(field, message)])`` from ``args`` (a mapping of strings). A value that is not one offered
    (a forged id, a state that does not exist) is an error and is ignored, never a 500."""
    errors = []
    start, end, period = _period(args, today or date.today(), errors)
    values = {}
    for key, model, message in (
        ("lead_agency", Agency, N_("Choose the lead professional's agency from the list")),
        ("taf_agency", Agency, N_("Choose a TAF member's agency from the list")),
        ("lead", User, N_("Choose a lead professional from the list")),
    ):
        value, bad = _id(args.get(key))
        if bad or not _known(model, value):
            errors.append((key, _(message)))
            value = None
        values[key] = value
    state = (args.get("state") or "").strip() or None
    if state is not None and state not in STATE_LABELS:
        errors.append(("state", _("Choose a state from the list")))
        state = None
    filters = Filters(
        date_from=start,
        date_to=end,
        period=period,
        lead_agency_id=values["lead_agency"],
        taf_agency_id=values["taf_agency"],
        lead_id=values["lead"],
        state=state,
    )
    return filters, errors


def choices():
    """What the filter form offers: agencies and lead professionals (two queries)."""
    agencies = db.session.execute(sa.select(Agency.id, Agency.name).order_by(Agency.name)).all()
    leads = db.session.execute(
        sa.select(User.id, User.name)
        .where(User.id.in_(sa.select(Assessment.lead_id).where(Assessment.lead_id.is_not(None))))
        .order_by(sa.func.lower(User.name), User.id)
    ).all()
    return {"agencies": agencies, "leads": leads, "periods": PERIODS, "states": STATE_LABELS}
