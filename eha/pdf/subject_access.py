"""The readable copy of a subject access request's export: every record held, case by case, table by table.

``render_subject_access(data)`` lays out the same plain data the JSON file holds (``eha.services.subject_access``),
with the usual markings (OFFICIAL-SENSITIVE, reference, page X of Y). Every value is escaped: it is user text.

Its fixed text is in the language of the manager's page that asked for the export (``gettext`` and ``language``
given by the service, the interface's catalogue; Welsh from a Welsh page). What the JSON holds is printed as it
is: the records' values; a field is named by its label in ``FIELD_LABELS`` (or its humanised JSON key), translated.
"""

from __future__ import annotations

import json
from datetime import date

from reportlab.platypus import Spacer

from .base import PageNumberedRenderer, clean, esc
from .i18n import translator


def N_(text):
    return text


LABEL = N_("Subject access request")
# Tables named as a reader would name them; any other is named from its table name.
TABLE_LABELS = {
    "case": N_("The case"),
    "family": N_("The household"),
    "children": N_("Children"),
    "carers": N_("Parents and carers"),
    "network_members": N_("Family network"),
    "involved_agencies": N_("Agencies involved"),
    "section_answers": N_("Assessment answers"),
    "consents": N_("The family's agreement"),
    "plan_versions": N_("Plan versions"),
    "plan_actions": N_("Plan actions"),
    "plan_signatures": N_("Signatures"),
    "meetings": N_("Meetings"),
    "meeting_participants": N_("Meeting invitations and attendance"),
    "reviews": N_("Reviews"),
    "action_updates": N_("Progress on actions"),
    "need_outcomes": N_("Outcomes of the needs identified"),
    "case_people": N_("People on the case without an eha account"),
    "taf_members": N_("Team Around the Family"),
    "fact_corrections": N_("Corrections to the record"),
    "closure_returns": N_("Closures not signed off"),
    "lead_changes": N_("Changes of lead professional"),
}

# A record's fields named as a reader would name them (the JSON keeps the column names); a field not here is named
# from its key ("date_of_birth" -> "Date of birth"), through the catalogue. Ids are eha's own record numbers.
FIELD_LABELS = {
    "action_key": N_("Action reference"),
    "added_by_id": N_("Added by (user number)"),
    "agency_id": N_("Agency (record number)"),
    "answers": N_("Answers"),
    "apologies": N_("Sent apologies"),
    "apologies_update": N_("Update sent with the apologies"),
    "assessment_due_on": N_("Assessment due on"),
    "assessment_id": N_("Case (record number)"),
    "at": N_("When"),
    "by_id": N_("By (user number)"),
    "carer_id": N_("Parent or carer (record number)"),
    "child_id": N_("Child (record number)"),
    "closed_at": N_("Closed at"),
    "closed_by_id": N_("Closed by (user number)"),
    "closure_approved_by_id": N_("Closure approved by (user number)"),
    "closure_notes": N_("Closure notes"),
    "closure_reason": N_("Reason for closing"),
    "comment": N_("Comment"),
    "competence_judged": N_("Judged competent to agree"),
    "competence_notes": N_("How competence was judged"),
    "completed_at": N_("Completed at"),
    "corrected_at": N_("Corrected at"),
    "corrected_by_id": N_("Corrected by (user number)"),
    "created_at": N_("Created at"),
    "created_by_id": N_("Created by (user number)"),
    "definition_name": N_("Assessment form"),
    "definition_version": N_("Assessment form version"),
    "digest": N_("Digest (SHA-256)"),
    "disposal_rule": N_("Retention rule"),
    "disposed_at": N_("Disposed of at"),
    "family_id": N_("Family (record number)"),
    "family_score": N_("Family's score"),
    "family_view": N_("Family's view"),
    "first_taf_due_on": N_("First TAF meeting due on"),
    "from_user_id": N_("From (user number)"),
    "given_as": N_("How it was given"),
    "given_by_kind": N_("Who they are"),
    "given_by_name": N_("Agreed by"),
    "given_on": N_("Date agreed"),
    "given_via": N_("Given in person or by phone"),
    "id": N_("Record number"),
    "interpreter_needed": N_("Interpreter needed"),
    "invited_how": N_("How they were invited"),
    "involvement": N_("Involvement"),
    "key": N_("Identifier"),
    "lead_agreed_id": N_("Agreed by the new lead professional (user number)"),
    "lead_id": N_("Lead professional (user number)"),
    "legal_basis": N_("Legal basis"),
    "meeting_id": N_("Meeting (record number)"),
    "method": N_("How they signed"),
    "need_code": N_("Need"),
    "network_member_id": N_("Family network member (record number)"),
    "new_value": N_("New value"),
    "next_due_label": N_("What is due next"),
    "next_due_on": N_("Next due on"),
    "next_review_due_on": N_("Next review due on"),
    "next_review_on": N_("Next review on"),
    "next_review_reason": N_("Reason for the next review date"),
    "nhs_number": N_("NHS number"),
    "number": N_("Number"),
    "old_lead_kept": N_("The old lead professional stayed on the team"),
    "old_value": N_("Old value"),
    "owner_carer_id": N_("Owner: parent or carer (record number)"),
    "owner_child_id": N_("Owner: child (record number)"),
    "owner_name": N_("Owner"),
    "owner_person_id": N_("Owner: person without an eha account (record number)"),
    "owner_user_id": N_("Owner: worker (user number)"),
    "pending_closure_at": N_("Closure asked for at"),
    "pending_closure_by_id": N_("Closure asked for by (user number)"),
    "pending_closure_notes": N_("Notes with the closure asked for"),
    "pending_closure_outcomes": N_("Outcomes with the closure asked for"),
    "pending_closure_reason": N_("Reason for the closure asked for"),
    "person_id": N_("Person (record number)"),
    "plan_changed": N_("Plan changed"),
    "plan_version_id": N_("Plan version (record number)"),
    "position": N_("Order"),
    "practitioner_score": N_("Practitioner's score"),
    "progress_at": N_("Progress recorded at"),
    "progress_comment": N_("Comment on progress"),
    "record_id": N_("Record corrected (record number)"),
    "record_kind": N_("Kind of record corrected"),
    "recorded_at": N_("Recorded at"),
    "recorded_by_id": N_("Recorded by (user number)"),
    "ref": N_("Case reference"),
    "relationship_to_child": N_("Relationship to the child"),
    "relationship_to_family": N_("Relationship to the family"),
    "removed_at": N_("Removed at"),
    "removed_by_id": N_("Removed by (user number)"),
    "removed_reason": N_("Reason for removing"),
    "returned_at": N_("Returned at"),
    "returned_by_id": N_("Returned by (user number)"),
    "review_id": N_("Review (record number)"),
    "scheduled_for": N_("Arranged for"),
    "school": N_("School"),
    "section_key": N_("Assessment section"),
    "signed_at": N_("Signed at"),
    "signed_content": N_("What was signed"),
    "signed_on": N_("Date signed"),
    "signer_kind": N_("Who signed"),
    "significant_harm_answer": N_("Answer about significant harm"),
    "started_at": N_("Started at"),
    "started_by_id": N_("Started by (user number)"),
    "step_up_on": N_("Stepped up on"),
    "step_up_reason": N_("Reason for stepping up"),
    "step_up_team": N_("Team stepped up to"),
    "success_measure": N_("How we will know it worked"),
    "support_offered": N_("Support offered"),
    "to_user_id": N_("To (user number)"),
    "updated_at": N_("Updated at"),
    "updated_by_id": N_("Updated by (user number)"),
    "user_id": N_("Worker (user number)"),
    "withdrawal_notes": N_("Notes on withdrawing agreement"),
    "withdrawn_on": N_("Agreement withdrawn on"),
    "withdrawn_recorded_by_id": N_("Withdrawal recorded by (user number)"),
}


def field_label(key: str, _=None) -> str:
    """The printed name of the field ``key`` in the language ``_`` translates into (default English)."""
    _ = _ or _english
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else _(humanise(key))


def humanise(name: str) -> str:
    return clean(name).replace("_", " ").capitalize()


def _english(text, **values):
    return text % values if values else text


def show(value, _=_english) -> str:
    if value is None or value == "":
        return _("Not recorded")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict | list):
        return json.dumps(value, indent=1, ensure_ascii=False, default=str)
    return str(value)


class SubjectAccessRenderer(PageNumberedRenderer):
    FIELD_SHARE = 0.32

    def __init__(self, data: dict, gettext=None, language: str = "en"):
        """``gettext(text, **values)`` translates the fixed text (default: English as written); ``language`` is
        the code it translates into, for the dates, the hyphenation and the PDF's /Lang."""
        self.data = data
        self._ = gettext or _english
        request = data["request"]
        super().__init__(reference=request["reference"], language=translator(language))
        self.label = self._(LABEL)
        self.title = f"{self.label} {clean(request['reference'])}"
        self.author = clean(request.get("organisation"))
        self.subject = self.label

    def header_right(self) -> str:
        return self.label

    def footer_left(self) -> str:
        return f"{self.reference} - {self.label}"

    def build_story(self) -> list:
        _ = self._
        request = self.data["request"]
        story = [
            self.markup(esc(_("Everything held about %(name)s", name=clean(request["subject"]))), "h1"),
            self.fields(
                {
                    _("Request"): request["reference"],
                    _("About"): f"{request['subject']} ({_(request['subject_is'])})",
                    _("Received"): self.day(request["received_on"]),
                    _("Due"): self.day(request["due_on"]),
                    _("Produced"): self.day(request["produced_at"][:10]),
                    _("Cases"): len(self.data["cases"]),
                    _("Third parties redacted"): request["third_parties_redacted"],
                },
                named=True,
            ),
            Spacer(1, self.body_size),
            *self.withheld(request.get("withheld") or []),
        ]
        if not self.data["cases"]:
            story.append(self.para(_("No case records are held about this person.")))
        for case in self.data["cases"]:
            story += self.case(case)
        return story

    def day(self, iso: str) -> str:
        """A date the JSON holds as ISO, as a reader writes it ("3 December 2026", "3 Rhagfyr 2026")."""
        return self.language.date(date.fromisoformat(iso))

    def withheld(self, withheld: list) -> list:
        """The response says that something was withheld, and under which exemption (never whose data it was)."""
        _ = self._
        if not withheld:
            return [self.para(_("Nothing has been withheld from this response.")), Spacer(1, self.body_size)]
        story = self.heading(_("What has been withheld"))
        story.append(
            self.para(
                _(
                    "Some information is withheld because it is about other people or because an exemption in the "
                    "Data Protection Act 2018 applies. Where a record is withheld it says so below; names of people "
                    "whose information is withheld are shown as [withheld]."
                )
            )
        )
        for entry in withheld:
            people = entry["people"]
            count = _("1 person") if people == 1 else _("%(num)s people", num=people)
            story.append(self.para(f"{_(entry['exemption'])}: {count}."))
        return [*story, Spacer(1, self.body_size)]

    def fields(self, row: dict, named: bool = False):
        """A two-column table of ``row``: its keys are JSON keys (humanised, then through the catalogue), or
        already the names to print (``named``)."""
        _ = self._
        width = self.frame_width
        header = [self.markup(esc(_("Field")), "cell_bold"), self.markup(esc(_("Recorded")), "cell_bold")]
        rows = [
            [self.para(k if named else field_label(k, _), "cell_bold"), self.para(show(v, _), "cell")]
            for k, v in row.items()
        ]
        return self.long_table([header, *rows], [width * self.FIELD_SHARE, width * (1 - self.FIELD_SHARE)])

    def case(self, case: dict) -> list:
        _ = self._
        story = [self.markup(esc(_("Case %(ref)s", ref=clean(case["ref"]))), "h1")]
        for table, rows in case["records"].items():
            story += self.heading(_(TABLE_LABELS[table]) if table in TABLE_LABELS else humanise(table))
            if not rows:
                story.append(self.para(_("None recorded.")))
            for row in rows:
                story += [self.fields(row), Spacer(1, self.body_size * 0.5)]
        return story


def render_subject_access(data: dict, gettext=None, language: str = "en") -> bytes:
    return SubjectAccessRenderer(data, gettext, language).render()
