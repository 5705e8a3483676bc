"""Guards: each takes ``(case, ctx)`` and returns the messages of what is missing (empty when satisfied).

Messages are GOV.UK error wording a user can act on. ``fire`` runs every guard of a trigger and reports
every message at once, so the user sees the whole list, not one problem at a time.

Each message is lazy (``lazy_gettext``): it is put into words when it is shown, so a page reads it in its
language, with the form's section titles and need labels in that language too, and the audit trail keeps it in
English (``access.record_failure`` reads it under English).
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from eha.definitions import missing_required, needs_identified
from eha.definitions.store import definition_for, reader_definition
from eha.extensions import db
from eha.i18n import N_, translated
from eha.models.choices import NEED_OUTCOMES
from eha.models.meetings import Meeting
from eha.models.plans import ActionUpdate, Review
from eha.models.users import User
from eha.workflow import queries
from eha.workflow.states import CLOSURE_REASONS, PLAN_STATES, closure_reasons_for

ACTION_FIELDS = (
    ("what", N_("what will be done")),
    ("owner_name", N_("who will do it")),
    ("due_on", N_("by when")),
    ("success_measure", N_("how we'll know it worked")),
)


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


# --- complete_assessment ---


def agreement_recorded(case, ctx):
    if case.current_consent is None:
        return [_l("Record the family's agreement before completing the assessment")]
    if not case.has_current_agreement:
        return [_l("The family has withdrawn their agreement: record a new agreement before completing the assessment")]
    return []


def _missing_by_section(definition, case):
    """``[(section title, [question labels])]`` of the required questions not answered, in the form's order."""
    missing = missing_required(definition, case.answers_by_section(), case.answers_by_child(), case.children)
    by_section = {}
    for section_title, label in missing:
        by_section.setdefault(section_title, []).append(label)
    return list(by_section.items())


def required_fields_complete(case, ctx):
    groups = _missing_by_section(definition_for(case), case)
    shown = {}  # language -> the groups in the definition's text in that language, found once

    def group(index):
        from eha.i18n import current_language

        language = current_language()
        if language not in shown:
            found = _missing_by_section(reader_definition(case), case) if language != "en" else groups
            shown[language] = found if len(found) == len(groups) else groups
        return shown[language][index]

    def unanswered(index):
        return gettext("; ").join(gettext("'%(label)s' is not answered", label=label) for label in group(index)[1])

    return [
        _l(
            "Complete the section '%(title)s': %(missing)s",
            title=LazyString(lambda i=i: group(i)[0]),
            missing=LazyString(unanswered, i),
        )
        for i in range(len(groups))
    ]


def has_child(case, ctx):
    return [] if case.subjects else [_l("Add at least one child the assessment is about")]


def need_identified(case, ctx):
    needs = needs_identified(definition_for(case), case.answers_by_section())
    return [] if needs else [_l("Identify at least one need in the section 'Needs identified'")]


# --- schedule_taf / schedule_review ---


def _meeting(case, ctx, kind):
    meeting = ctx.data.get("meeting")
    if meeting is None:
        meeting = queries.latest_meeting(case, kind, status="scheduled")
    ctx.found["meeting"] = meeting
    return meeting


def taf_meeting_arranged(case, ctx):
    meeting = _meeting(case, ctx, "taf")
    if meeting is None or meeting.kind != "taf" or meeting.assessment_id not in (None, case.id):
        return [_l("Schedule the TAF meeting: enter its date, where it will be held and who is invited")]
    messages = []
    if meeting.scheduled_for is None:
        messages.append(_l("Enter the date of the TAF meeting"))
    if _blank(meeting.place) and _blank(meeting.video_link):
        messages.append(_l("Enter where the TAF meeting will be held or a video link"))
    consent = case.current_consent
    agreed = consent.agency_ids if consent is not None and consent.withdrawn_on is None else set()
    user_ids = [p.user_id for p in meeting.participants if p.user_id is not None]
    agencies = set()
    if user_ids:
        agencies = set(db.session.scalars(sa.select(User.agency_id).where(User.id.in_(user_ids))))
    if not agencies & agreed:
        messages.append(_l("Invite at least one professional from an agency the family agreed may be involved"))
    return messages


def review_meeting_dated(case, ctx):
    meeting = _meeting(case, ctx, "review")
    if meeting is None or meeting.kind != "review":
        return [_l("Schedule the review meeting: enter its date")]
    if meeting.scheduled_for is None:
        return [_l("Enter the date of the review meeting")]
    return []


# --- agree_plan ---


def taf_meeting_held(case, ctx):
    meeting = queries.latest_meeting(case, "taf", status="held")
    ctx.found["meeting"] = meeting
    if meeting is None:
        return [_l("Record the TAF meeting as held, with who attended")]
    if not any(p.attended for p in meeting.participants):
        return [_l("Record who attended the TAF meeting")]
    return []


def has_lead(case, ctx):
    return [] if case.lead_id else [_l("Choose a lead professional for the family")]


def _joined(words):
    return LazyString(lambda: ", ".join(translated(w) for w in words))


def _action_messages(version):
    if not version.actions:
        return [_l("Add at least one action to the plan")]
    messages = []
    for number, action in enumerate(version.actions, start=1):
        missing = [words for attr, words in ACTION_FIELDS if _blank(getattr(action, attr))]
        if missing:
            messages.append(_l("Action %(number)s: enter %(missing)s", number=number, missing=_joined(missing)))
    return messages


def _signature_messages(version):
    if version.status != "signed":
        return [_l("Sign the plan: the lead professional and a parent, carer or the young person sign it")]
    kinds = {s.signer_kind for s in version.signatures}
    messages = []
    if "lead" not in kinds:
        messages.append(_l("Record the lead professional's signature on the plan"))
    if not kinds & {"carer", "young_person"}:
        messages.append(_l("Record the signature of a parent, carer or the young person on the plan"))
    return messages


def plan_signed_with_actions(case, ctx):
    versions = queries.plan_versions(case)
    if not versions:
        return [_l("Write the plan: add at least one action")]
    current = versions[0]
    ctx.found["plan_version"] = current
    return _action_messages(current) + _signature_messages(current)


# --- record_review ---


def review_recorded(case, ctx):
    review = ctx.data.get("review") or queries.latest_review(case)
    ctx.found["review"] = review
    if review is None or not isinstance(review, Review):
        return [_l("Record the review: progress on each action, the family's view and the scaling scores")]
    messages = []
    meeting = db.session.get(Meeting, review.meeting_id) if review.meeting_id else None
    if meeting is None:
        meeting = queries.latest_meeting(case, "review")
    ctx.found["meeting"] = meeting
    if meeting is None or meeting.status != "held":
        messages.append(_l("Record the review meeting as held, with who attended"))
    versions = queries.plan_versions(case)
    messages += _progress_messages(review, _reviewed_version(review, versions))
    messages += _review_answer_messages(review)
    if review.plan_changed:
        messages += _revision_messages(ctx, meeting, versions[0] if versions else None)
    return messages


def _reviewed_version(review, versions):
    """The signed plan version the review looked at (None if none is signed)."""
    signed = [v for v in versions if v.is_signed]
    if not signed:
        return None
    # A revision already signed at the review is not what was reviewed: the version before it was.
    if review.plan_changed and versions[0].status == "signed" and len(signed) > 1:
        return signed[1]
    return signed[0]


def _progress_messages(review, reviewed):
    if reviewed is None:
        return []
    updated = set(
        db.session.scalars(sa.select(ActionUpdate.action_key).where(ActionUpdate.review_id == review.id))
        if review.id
        else []
    )
    return [
        _l("Record progress on action %(number)s: %(what)s", number=number, what=action.what)
        for number, action in enumerate(reviewed.actions, start=1)
        if action.is_open and action.key not in updated
    ]


def _review_answer_messages(review):
    messages = []
    if _blank(review.family_view):
        messages.append(_l("Enter the family's view of how things are going"))
    if review.family_score is None:
        messages.append(_l("Enter the family's score from 0 to 10"))
    if review.practitioner_score is None:
        messages.append(_l("Enter your score from 0 to 10"))
    return messages


def _revision_messages(ctx, meeting, latest):
    """A changed plan is a new version, signed again since the review was scheduled."""
    if latest is None or latest.status == "draft":
        if latest is None:
            return [_l("The plan changed: sign the revised plan with the family before recording the review")]
        return [
            _l(
                "The plan changed: sign the revised plan (version %(number)s) with the family before recording "
                "the review",
                number=latest.number,
            )
        ]
    if meeting is not None and (latest.signed_at is None or latest.signed_at < meeting.created_at):
        return [
            _l(
                "The plan changed: select Change the plan on the plan page, make the changes and sign the revised "
                "plan with the family before recording the review"
            )
        ]
    ctx.found["plan_version"] = latest
    return []


# --- close ---


def closure_reason_allowed(case, ctx):
    reason = ctx.data.get("reason")
    allowed = dict(closure_reasons_for(ctx.source))
    if _blank(reason):
        return [_l("Select why the case is closing")]
    if reason not in allowed:
        label = CLOSURE_REASONS.get(reason)
        shown = LazyString(translated, label) if label else _l("That reason")
        return [
            _l("%(reason)s cannot be chosen for a case in this state: select one of the reasons shown", reason=shown)
        ]
    return []


def outcomes_recorded(case, ctx):
    if ctx.source not in PLAN_STATES:
        return []
    outcomes = ctx.data.get("outcomes") or {}
    if not isinstance(outcomes, dict):
        outcomes = {}
    definition = definition_for(case)
    needs = needs_identified(definition, case.answers_by_section())
    messages = []
    for code in needs:
        entry = outcomes.get(code)
        outcome = entry.get("outcome") if isinstance(entry, dict) else entry
        if outcome not in NEED_OUTCOMES:
            # The same message as the close form's own check (eha.forms.closure): one msgid.
            messages.append(_l("Select an outcome for the need '%(need)s'", need=LazyString(_need_label, case, code)))
    return messages


def _need_label(case, code):
    """A need's label in the reader's language (English in the audit trail)."""
    return _need_labels(reader_definition(case)).get(code) or _need_labels(definition_for(case)).get(code, code)


def _need_labels(definition):
    labels = {}
    for _section, spec in definition.iter_fields():
        if spec.type == "needs":
            labels.update({o.value: o.label for o in spec.options})
    return labels


def need_labels(case):
    return _need_labels(definition_for(case))


def manager_sign_off(case, ctx):
    if not ctx.config.get("EHA_CLOSURE_SIGN_OFF"):
        return []
    if ctx.by is not None and ctx.by.is_manager:
        return []
    return [_l("A manager must sign off the closure: ask for it instead of closing the case yourself")]


def rejection_reason_given(case, ctx):
    return [] if not _blank(ctx.data.get("why")) else [_l("Enter why the closure is not signed off")]


# --- step_up ---


def referral_details(case, ctx):
    messages = []
    on = ctx.data.get("on")
    if isinstance(on, datetime):
        on = on.date()
    if on is None or not isinstance(on, date):
        messages.append(_l("Enter the date of the referral to children's social care"))
    elif on > ctx.today:
        messages.append(_l("Date of the referral must be today or in the past"))
    if _blank(ctx.data.get("team")):
        messages.append(_l("Enter the team the family was referred to"))
    if _blank(ctx.data.get("reason")):
        messages.append(_l("Enter why the case is being stepped up"))
    return messages
