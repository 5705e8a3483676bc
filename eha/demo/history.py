"""Demo history: families helped over the last 18 months, so every report has a trend to show (the cases in
``eha.demo.cases`` all start on the day ``flask demo`` runs).

Each history case walks the workflow with the same builders and ``fire()`` as the rest of the demo, then its
working dates are set back to when it happened: started, assessed, TAF held, plan signed, reviews, closed.

The audit trail is append-only, so its times cannot be set back afterwards: while a history case is built,
``_StoryClock`` stands in for the audit trail's clock and stamps each event with the day the story says it
happened (the day the case entered the state it is in when the event is written). The chain is hashed over those
times, so ``flask audit verify`` passes, and the time-in-state and drift figures show realistic durations. Only
the demo does this; a real event is always stamped with the real time. Idempotent: a family already in the demo
is not built again.
"""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from eha import audit
from eha.extensions import db
from eha.models.meetings import Meeting
from eha.models.plans import PlanVersion, Review
from eha.workflow import effects, timescales
from eha.workflow.engine import fire

DAYS_BACK = 540  # about 18 months
STEP = 17  # days between one history case's start and the next

# (family, child, born) and the story each follows (see WALKS)
FAMILIES = [
    ("Adeyemi", "Tolu", date(2013, 3, 14)),
    ("Baker", "Lily", date(2016, 8, 2)),
    ("Chen", "Wei", date(2011, 11, 21)),
    ("Davies", "Cerys", date(2017, 5, 9)),
    ("Evans", "Rhys", date(2014, 1, 30)),
    ("Fraser", "Isla", date(2012, 6, 17)),
    ("Garcia", "Mateo", date(2018, 2, 25)),
    ("Hussain", "Amira", date(2015, 9, 4)),
    ("Ivanova", "Sofia", date(2013, 12, 12)),
    ("Jones", "Harry", date(2016, 4, 7)),
    ("Kaur", "Simran", date(2012, 10, 1)),
    ("Lewis", "Noah", date(2017, 7, 19)),
    ("Mensah", "Kofi", date(2014, 3, 3)),
    ("Novak", "Eva", date(2011, 8, 28)),
    ("O'Brien", "Aoife", date(2015, 12, 24)),
    ("Popescu", "Andrei", date(2013, 5, 16)),
    ("Quinn", "Megan", date(2018, 9, 10)),
    ("Rahman", "Ayaan", date(2012, 2, 8)),
    ("Singh", "Priya", date(2016, 11, 27)),
    ("Taylor", "Jack", date(2014, 7, 5)),
    ("Usman", "Fatima", date(2017, 1, 13)),
    ("Varga", "Bence", date(2013, 10, 22)),
    ("Walsh", "Ciara", date(2015, 6, 30)),
    ("Yilmaz", "Elif", date(2012, 4, 18)),
    ("Zielinski", "Kacper", date(2016, 3, 11)),
    ("Brown", "Oliver", date(2014, 10, 9)),
    ("Clarke", "Ruby", date(2017, 12, 2)),
    ("Edwards", "Leo", date(2013, 1, 26)),
    ("Francis", "Mia", date(2015, 2, 14)),
    ("Green", "Alfie", date(2011, 5, 6)),
]
NEEDS = (
    ("sf-education", "sf-relationships", "sf-health"),
    ("sf-domestic-abuse", "sf-relationships", "sf-housing", "sf-financial"),
    ("sf-early-years", "sf-health", "sf-financial"),
    ("sf-substance", "sf-relationships", "sf-safe-exploitation"),
    ("sf-crime", "sf-education", "sf-housing"),
    ("sf-education", "sf-health"),
)
CIN_FACTORS = (("1B", "2B"), ("3A",), ("4B", "1B"), ("2C",), ("3B", "4A"), ())
# Each history child's "About the child" and the family's "About the request" (eha-default-v2), in turn, so the
# returns have ethnicity, disability and who asked for help to show (DfE census ethnicity codes).
ETHNICITIES = ("WBRI", "AIND", "BCRB", "MWBC", "WOTH", "APKN", "BAFR", "CHNE", "WIRT", "NOBT", "WBRI", "MOTH")
DISABILITIES = ("no", "no", "yes", "not-known", "no")
SEN = ("none", "sen-support", "none", "ehc-plan", "none", "none", "sen-support")
ASKED_BY = (("agency", "Northshire Primary School"), ("agency", "Health visiting"), ("self-referral", ""))
# (family score, practitioner score) at the first review and the latest
SCORES = (((3, 4), (7, 7)), ((5, 5), (5, 6)), ((6, 5), (4, 4)), ((2, 3), (6, 5)), ((4, 4), (4, 4)))


def _at(day, hour=10):
    return datetime.combine(day, time(hour))


class _StoryClock:
    """The audit trail's clock while a history case is built: the time the story gives the state ``case`` is in
    (``when``), else ``fallback``. Each event is a second after the one before, so a case's events keep their
    order."""

    def __init__(self):
        self.case, self.when, self.fallback, self._last = None, {}, None, None

    def begin(self, case, at):
        self.case, self.when, self.fallback = case, {}, at

    def now(self):
        at = self.when.get(self.case.state) if self.case is not None else None
        at = at or self.fallback
        if self._last is not None and self._last[0] == at:
            stamped = self._last[1] + timedelta(seconds=1)
        else:
            stamped = at
        self._last = (at, stamped)
        return stamped


_CLOCK = _StoryClock()


@contextmanager
def _story_time():
    real = audit.utcnow
    audit.utcnow = _CLOCK.now
    try:
        yield _CLOCK
    finally:
        audit.utcnow = real


def _plan(case, cast, start):
    """Assessed after 12 to 30 days, TAF after 8 more, the plan signed the day of the TAF."""
    from eha.demo import cases as build

    completed = start + timedelta(days=12 + (case.id * 7) % 19)
    held = completed + timedelta(days=8 + case.id % 9)
    _CLOCK.when.update(
        assessed=_at(completed, 15),
        taf_scheduled=_at(completed + timedelta(days=1 + case.id % 5), 11),
        plan_active=_at(held, 16),
    )
    build.to_plan_active(case, cast.lead, cast.invite)
    case.completed_at = _at(completed, 15)
    case.assessment_due_on = timescales.add_working_days(start, 20)
    case.first_taf_due_on = timescales.add_working_days(completed, 10)
    for meeting in _meetings(case):
        meeting.scheduled_for, meeting.held_on = _at(held), held
    for version in db.session.scalars(sa.select(PlanVersion).where(PlanVersion.assessment_id == case.id)):
        version.signed_at = _at(held, 16)
    return held


def _meetings(case):
    return db.session.scalars(sa.select(Meeting).where(Meeting.assessment_id == case.id)).all()


def _review(case, cast, on, scores):
    from eha.demo import cases as build

    _CLOCK.when["review_scheduled"] = _at(on - timedelta(days=21), 11)
    meeting = build.schedule_meeting(case, cast.lead, kind="review", invite=cast.invite, on=on)
    fire(case, "schedule_review", cast.lead, meeting=meeting)
    _CLOCK.when["plan_active"] = _at(on, 12)
    build.hold_meeting(meeting, cast.lead, held_on=on, next_review_on=on + timedelta(weeks=6))
    row = build.review(case, meeting, cast.lead, family_score=scores[0], practitioner_score=scores[1])
    fire(case, "record_review", cast.lead, review=row)
    meeting.scheduled_for = _at(on)
    row.created_at = _at(on, 12)
    case.next_review_due_on = on + timedelta(weeks=6)
    return row


def _reviewed(case, cast, start, index):
    held = _plan(case, cast, start)
    first, latest = SCORES[index % len(SCORES)]
    _review(case, cast, held + timedelta(weeks=6 if index % 4 else 8), first)
    _review(case, cast, held + timedelta(weeks=12 + index % 3), latest)
    return held + timedelta(weeks=12 + index % 3)


def _close(case, cast, on, reason, outcome="met"):
    from eha.demo import cases as build

    _CLOCK.when["closed"] = _at(on, 16)
    fire(case, "close", cast.manager, reason=reason, notes="Closed.", outcomes=build.outcomes_for(case, outcome))
    case.closed_at = _at(on, 16)


def _met(case, cast, start, index):
    last = _reviewed(case, cast, start, index)
    _close(case, cast, last + timedelta(days=10), "outcomes_met")


def _met_and_back(case, cast, start, index):
    """Closed with the needs met; the family comes back two months later (a re-referral)."""
    from eha.services.assessments import start_assessment

    _met(case, cast, start, index)
    again = case.closed_at.date() + timedelta(days=60)
    if again >= date.today():
        return
    _CLOCK.begin(None, _at(again, 9))
    back = start_assessment(cast.lead, case.family, case.children)
    back.started_at = _at(again, 9)
    back.assessment_due_on = timescales.add_working_days(again, 20)
    effects.refresh_due(back)


def _stepped_down(case, cast, start, index):
    last = _reviewed(case, cast, start, index)
    _close(case, cast, last + timedelta(days=5), "stepped_down", "partly_met")


def _stepped_up(case, cast, start, index):
    on = start + timedelta(days=9)
    _CLOCK.when["closed"] = _at(on, 16)
    fire(case, "step_up", cast.lead, on=date.today(), team="Northshire Children's Social Care", reason="Referred.")
    case.step_up_on, case.closed_at = on, _at(on, 16)


def _open_plan(case, cast, start, index):
    _reviewed(case, cast, start, index)


def _draft(case, cast, start, index):
    case.assessment_due_on = timescales.add_working_days(start, 20)


WALKS = (_met, _stepped_down, _stepped_up, _open_plan, _met_and_back, _draft)


def _move_on(case, cast, start, index):
    walk = WALKS[index % len(WALKS)]
    if walk is _draft and start < date.today() - timedelta(days=120):
        walk = _met  # an old draft would be an odd story: only the recent ones are still being assessed
    walk(case, cast, start, index)
    case.started_at = _at(start, 9)
    for consent in case.consents:
        consent.given_on = start
    effects.refresh_due(case)


def _story(index):
    who, agency = ASKED_BY[index % len(ASKED_BY)]
    story = {
        "about-the-child.ethnicity": ETHNICITIES[index % len(ETHNICITIES)],
        "about-the-child.disability": DISABILITIES[index % len(DISABILITIES)],
        "about-the-child.sen": SEN[index % len(SEN)],
        "about-the-request.who-asked": who,
    }
    if agency:
        story["about-the-request.requesting-agency"] = agency
    return story


def _cin(case, index):
    factors = list(CIN_FACTORS[index % len(CIN_FACTORS)])
    for section in case.sections:
        if section.section_key == "needs" and factors:
            section.answers = {**(section.answers or {}), "cin-factors": factors}


def ensure_history(cast, existing):
    """Build the history cases whose family is not in ``existing`` (family name -> case); returns them all."""
    today = date.today()
    made = []
    leads = (cast.lead, *cast.invite)
    for index, (family, _first_name, _born) in enumerate(FAMILIES):
        found = existing.get(family)
        if found is not None:
            made.append(found)
            continue
        start = today - timedelta(days=DAYS_BACK - index * STEP)
        with _story_time() as clock:
            clock.begin(None, _at(start, 9))
            case = _history_case(cast, leads, index, start)
        made.append(case)
    db.session.flush()
    return made


def _history_case(cast, leads, index, start):
    """History case ``index``: its family, started on ``start``, led by one of ``leads`` in turn, walked on."""
    from eha.demo import cases as build

    family, first_name, born = FAMILIES[index]
    lead = leads[index % len(leads)]
    case = build.new_case(
        cast.lead,
        family_name=family,
        children=((first_name, family, born),),
        carer=(f"Parent {family}", "Parent"),
        agencies=[u.agency for u in cast.invite if u.agency_id != cast.lead.agency_id],
        needs=NEEDS[index % len(NEEDS)],
        lead=lead,
        started_on=start,
        story=_story(index),
    )
    _cin(case, index)
    _CLOCK.begin(case, _at(start, 9))
    _move_on(case, cast._replace(lead=lead, invite=tuple(u for u in leads if u.id != lead.id)), start, index)
    return case


def reviews_of(case):
    return db.session.scalars(sa.select(Review).where(Review.assessment_id == case.id)).all()
