"""The family plan as plain text, to paste into an email: the same view-model and fixed text as the PDF.

``plan_text(doc, wording, ...)`` gives lines of at most 72 characters (no word broken), headings in capitals
(English) underlined, and the digest in groups of eight as on paper.
"""

from __future__ import annotations

import textwrap

from eha.formatting import without_emergency_line

from .base import clean
from .model import PlanDocument, Signature
from .plan import digest_groups
from .wording import Wording

WIDTH = 72


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    lines = []
    for paragraph in clean(text).split("\n"):
        lines += textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=indent if first is None else first,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    return lines


class PlainPlan:
    """Builds the text one section at a time; ``text()`` joins it."""

    def __init__(self, doc: PlanDocument, w: Wording, *, interpreter: bool = False):
        self.doc, self.w, self.t = doc, w, w.t
        self.interpreter = interpreter
        self.lines: list[str] = []

    def add(self, *texts: str) -> None:
        for text in texts:
            self.lines += _wrap(text)

    def item(self, text: str) -> None:
        self.lines += _wrap(text, indent="  ", first="- ")

    def gap(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def heading(self, text: str) -> None:
        title = text.upper() if self.t.is_english else text
        self.gap()
        self.lines += [title, "=" * len(title), ""]

    def date(self, value, empty: str = "") -> str:
        return self.t.date(value, empty)

    def text(self) -> str:
        d, w = self.doc, self.w
        self.add("OFFICIAL-SENSITIVE", f"{d.reference} - {w.header_version.format(version=d.version)}")
        self.heading(w.title)
        self.notes()
        self.summary()
        self.people()
        for heading, text in ((w.worries_heading, d.worries), (w.working_well_heading, d.working_well)):
            self.heading(heading)
            for paragraph in [p for p in clean(text).split("\n\n") if p.strip()] or [w.nothing_yet]:
                self.add(paragraph)
                self.gap()
        self.heading(w.needs_heading)
        needs = [n for n in d.needs if clean(n).strip()]
        for need in needs:
            self.item(need)
        if not needs:
            self.add(w.nothing_yet)
        self.actions()
        self.ending()
        return "\n".join(self.lines).strip() + "\n"

    def notes(self) -> None:
        w = self.w
        if w.not_yet_translated:
            self.add(w.not_yet_translated)
            self.gap()
        if self.interpreter:
            self.add(w.interpreter)
            if not self.t.is_english:
                self.add(Wording.english().interpreter)
            self.gap()
        if not self.t.is_english:
            self.add(w.own_words)
            self.gap()
        if self.doc.is_draft:
            self.add(f"{w.draft_mark}. {w.draft_box}")
            self.gap()

    def summary(self) -> None:
        d, w = self.doc, self.w
        children = "; ".join(
            w.child(c.name, self.date(c.date_of_birth) if c.date_of_birth else None) for c in d.children
        )
        status = w.status_draft if d.is_draft else w.status_signed
        self.add(
            f"{w.family}: {d.family_name}",
            f"{w.children}: {children or w.none_written}",
            f"{w.plan_version}: {d.version} ({status})",
            f"{w.next_review}: {self.date(d.next_review, w.no_date)}",
            f"{w.reference}: {d.reference}",
        )
        self.gap()
        service = ", ".join(clean(p) for p in (d.service_name, d.organisation) if clean(p))
        self.add(" ".join(w.intro_lines(service)))

    def people(self) -> None:
        d, w = self.doc, self.w
        self.heading(w.lead_heading)
        self.add(w.lead_intro)
        self.gap()
        lead = d.lead
        for label, value in ((w.name, lead.name), (w.job, lead.role), (w.works_for, lead.agency),
                             (w.phone, lead.phone), (w.email, lead.email)):  # fmt: skip
            if clean(value):
                self.add(f"{label}: {value}")
        self.heading(w.team_heading)
        if not d.taf_members:
            self.add(w.team_none)
            return
        self.add(w.team_intro)
        self.gap()
        for m in d.taf_members:
            self.item(", ".join(clean(p) for p in (m.name, m.role, m.agency) if clean(p)))

    def actions(self) -> None:
        d, w = self.doc, self.w
        self.heading(w.actions_heading)
        if not d.actions:
            self.add(w.no_actions)
            return
        self.add(w.actions_intro.replace("{mark}", f'"{w.family_who}"'))
        for a in d.actions:
            self.gap()
            self.add(w.action_card.format(number=a.number) + (f": {w.family_who}" if a.is_family else ""))
            what = clean(a.what) + (f" ({w.helps_with} {clean(a.need)})" if clean(a.need).strip() else "")
            who = ", ".join(p for p in ((w.family_who if a.is_family else ""), clean(a.who)) if p)
            self.item(f"{w.col_what}: {what}")
            self.item(f"{w.col_who}: {who}")
            self.item(f"{w.col_when}: {self.date(a.by_when, w.no_date)}")
            self.item(f"{w.col_success}: {clean(a.success) or w.not_written}")

    def signature(self, s: Signature) -> None:
        w = self.w
        self.item(f"{s.name}, {s.role}. {w.signed_on.format(date=self.date(s.signed_on))}. "
                  f"{w.how_signed.format(method=s.method)}")  # fmt: skip

    def ending(self) -> None:
        d, w = self.doc, self.w
        self.heading(w.review_heading)
        self.add(w.review_on.format(date=self.date(d.next_review)) if d.next_review else w.review_none)
        self.heading(w.worse_heading)
        self.add(w.danger, w.worried)
        self.gap()
        self.add(without_emergency_line(d.front_door) or w.front_door_default)
        self.heading(w.signed_heading)
        for s in d.signatures:
            self.signature(s)
        if not d.signatures:
            self.add(w.no_signatures)
        if d.later_signatures:
            self.gap()
            self.add(f"{w.later_heading}:")
            for s in d.later_signatures:
                self.signature(s)
        self.heading(w.check_heading)
        if d.digest:
            self.add(f"{w.digest_label} {digest_groups(d.digest)}")
            self.gap()
            self.add(" ".join(w.digest_how).format(reference=clean(d.reference), version=d.version))
        else:
            self.add(f"{w.draft_mark}: {w.no_digest}")
        self.gap()
        self.add(w.printed_on.format(date=self.t.date_time(d.generated_at)), "OFFICIAL-SENSITIVE")


def plan_text(doc: PlanDocument, wording: Wording, *, interpreter: bool = False) -> str:
    """The plan as plain text (an email body) in the language of ``wording``."""
    return PlainPlan(doc, wording, interpreter=interpreter).text()
