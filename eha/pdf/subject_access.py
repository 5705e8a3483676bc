"""The readable copy of a subject access request's export: every record held, case by case, table by table.

``render_subject_access(data)`` lays out the same plain data the JSON file holds (``eha.services.subject_access``),
with the usual markings (OFFICIAL-SENSITIVE, reference, page X of Y). Every value is escaped: it is user text.
"""

from __future__ import annotations

import json
from datetime import date

from reportlab.platypus import Spacer

from eha.formatting import format_date

from .base import PageNumberedRenderer, clean, esc

LABEL = "Subject access request"
# Tables named as a reader would name them; any other is named from its table name.
TABLE_LABELS = {
    "case": "The case",
    "family": "The household",
    "children": "Children",
    "carers": "Parents and carers",
    "network_members": "Family network",
    "involved_agencies": "Agencies involved",
    "section_answers": "Assessment answers",
    "consents": "The family's agreement",
    "plan_versions": "Plan versions",
    "plan_actions": "Plan actions",
    "plan_signatures": "Signatures",
    "meetings": "Meetings",
    "meeting_participants": "Meeting invitations and attendance",
    "reviews": "Reviews",
    "action_updates": "Progress on actions",
    "need_outcomes": "Outcomes of the needs identified",
    "case_people": "People on the case without an eha account",
    "taf_members": "Team Around the Family",
    "fact_corrections": "Corrections to the record",
    "closure_returns": "Closures not signed off",
    "lead_changes": "Changes of lead professional",
}


def humanise(name: str) -> str:
    return clean(name).replace("_", " ").capitalize()


def day(iso: str) -> str:
    """A date the JSON holds as ISO, as a reader writes it ("3 December 2026")."""
    return format_date(date.fromisoformat(iso))


def show(value) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(value, indent=1, ensure_ascii=False, default=str)
    return str(value)


class SubjectAccessRenderer(PageNumberedRenderer):
    FIELD_SHARE = 0.32

    def __init__(self, data: dict):
        self.data = data
        request = data["request"]
        super().__init__(reference=request["reference"])
        self.title = f"{LABEL} {clean(request['reference'])}"
        self.author = clean(request.get("organisation"))
        self.subject = LABEL

    def header_right(self) -> str:
        return LABEL

    def footer_left(self) -> str:
        return f"{self.reference} - {LABEL}"

    def build_story(self) -> list:
        request = self.data["request"]
        story = [
            self.markup(esc(f"Everything held about {clean(request['subject'])}"), "h1"),
            self.fields(
                {
                    "Request": request["reference"],
                    "About": f"{request['subject']} ({request['subject_is']})",
                    "Received": day(request["received_on"]),
                    "Due": day(request["due_on"]),
                    "Produced": day(request["produced_at"][:10]),
                    "Cases": len(self.data["cases"]),
                    "Third parties redacted": request["third_parties_redacted"],
                }
            ),
            Spacer(1, self.body_size),
            *self.withheld(request.get("withheld") or []),
        ]
        if not self.data["cases"]:
            story.append(self.para("No case records are held about this person."))
        for case in self.data["cases"]:
            story += self.case(case)
        return story

    def withheld(self, withheld: list) -> list:
        """The response says that something was withheld, and under which exemption (never whose data it was)."""
        if not withheld:
            return [self.para("Nothing has been withheld from this response."), Spacer(1, self.body_size)]
        story = self.heading("What has been withheld")
        story.append(
            self.para(
                "Some information is withheld because it is about other people or because an exemption in the "
                "Data Protection Act 2018 applies. Where a record is withheld it says so below; names of people "
                "whose information is withheld are shown as [withheld]."
            )
        )
        for entry in withheld:
            people = entry["people"]
            story.append(self.para(f"{entry['exemption']}: {people} {'person' if people == 1 else 'people'}."))
        return [*story, Spacer(1, self.body_size)]

    def fields(self, row: dict):
        width = self.frame_width
        header = [self.markup("Field", "cell_bold"), self.markup("Recorded", "cell_bold")]
        rows = [[self.para(humanise(k), "cell_bold"), self.para(show(v), "cell")] for k, v in row.items()]
        return self.long_table([header, *rows], [width * self.FIELD_SHARE, width * (1 - self.FIELD_SHARE)])

    def case(self, case: dict) -> list:
        story = [self.markup(esc(f"Case {clean(case['ref'])}"), "h1")]
        for table, rows in case["records"].items():
            story += self.heading(TABLE_LABELS.get(table, humanise(table)))
            if not rows:
                story.append(self.para("None recorded."))
            for row in rows:
                story += [self.fields(row), Spacer(1, self.body_size * 0.5)]
        return story


def render_subject_access(data: dict) -> bytes:
    return SubjectAccessRenderer(data).render()
