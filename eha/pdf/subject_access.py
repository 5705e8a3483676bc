"""The readable copy of a subject access request's export: every record held, case by case, table by table.

``render_subject_access(data)`` lays out the same plain data the JSON file holds (``eha.services.subject_access``),
with the usual markings (OFFICIAL-SENSITIVE, reference, page X of Y). Every value is escaped: it is user text.

Its fixed text is in the language of the manager's page that asked for the export (``gettext`` and ``language``
given by the service, the interface's catalogue; Welsh from a Welsh page). What the JSON holds is printed as it
is: the records' values, and a field's name from its JSON key (through the catalogue where it has a label there).
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
            [self.para(k if named else _(humanise(k)), "cell_bold"), self.para(show(v, _), "cell")]
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
