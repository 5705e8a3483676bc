"""Printable documents: which plan version prints, the assessment record, sealing, and finding a plan by digest.

The PDF renderers (``eha.pdf``) take plain view-models; this module builds them from the records. A signed
plan version prints from exactly what was signed (``PlanVersion.signed_content``), never from the live rows,
so the digest on paper always matches the record even if a name changed later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from eha import audit
from eha.access import visible_cases_filter
from eha.definitions import answer_display
from eha.definitions.store import localised_definition
from eha.errors import Conflict, DomainError, NotFound
from eha.extensions import db
from eha.formatting import format_date, now_in_london, without_emergency_line
from eha.i18n import current_language, translated
from eha.models.assessments import Assessment
from eha.models.choices import CONSENT_CONTACTS, CONSENT_FORMS, CONSENT_GIVEN_BY, SIGNING_METHODS
from eha.models.plans import PlanVersion
from eha.pdf import render_assessment, render_plan
from eha.pdf.digest import plan_digest
from eha.pdf.i18n import Translator, needs_interpreter, plan_language, supported, translator
from eha.pdf.model import AssessmentDocument, Person, PlanDocument, SectionDoc
from eha.pdf.wording import Wording
from eha.services import plans as plan_service
from eha.transaction import autocommit
from eha.workflow.states import CLOSED, STATE_LABELS

DIGEST_PATTERN = re.compile(r"[0-9a-f]{64}")


class NoSuchDocument(NotFound):
    """There is nothing of that kind to print for this case; the message says why (shown on the 404 page)."""

    outcome = "failed"


class DigestMismatch(Conflict):
    """A signed version's stored content no longer gives its stored digest: printing it would mislead."""

    def __init__(self, version):
        super().__init__(
            _l(
                "This version of the plan cannot be printed: its record no longer matches the code it "
                "was signed with. Contact your administrator."
            ),
            detail={"reason": "stored content does not match the digest", "version": version},
        )


# --- which plan version prints ---


def plan_version_to_print(case, number=None):
    """The plan version to print: ``number`` if given, else the signed plan in force, else the current draft.

    A draft prints only while it is the current version. Raises ``NoSuchDocument``.
    """
    versions = plan_service.versions(case)
    if not versions:
        raise NoSuchDocument(
            _l(
                "There is no plan for this case yet. The lead professional adds the first action "
                "on the plan page, and the plan can be printed from then on."
            )
        )
    if number is None:
        signed = [v for v in versions if v.status == "signed"]
        return signed[-1] if signed else versions[-1]
    version = next((v for v in versions if v.number == number), None)
    if version is None or (version.status == "draft" and version is not versions[-1]):
        raise NoSuchDocument(_l("This case has no plan version %(number)s that can be printed.", number=number))
    return version


def plan_document(case, version):
    """The ``PlanDocument`` for ``version``: a signed one from what was signed, a draft from the live rows."""
    config = current_app.config
    if version.status == "draft":
        return plan_service.build_document(case, version)
    content = version.signed_content or {}
    if not version.digest or plan_digest(content) != version.digest:
        raise DigestMismatch(version.number)
    return plan_service.document_from_content(
        _printable(version),
        organisation=config["EHA_ORGANISATION_NAME"],
        service_name=config["EHA_SERVICE_NAME"],
        front_door=config.get("EHA_FRONT_DOOR", ""),
        later=plan_service.signatures_after_signing(version),
    )


ACTION_DEFAULTS = {"number": "", "need": "", "what": "", "who": "", "is_family": False, "by_when": None, "success": ""}
SIGNATURE_DEFAULTS = {"name": "", "role": "", "signed_on": None, "method": ""}


def _printable(version):
    """``version`` with its signed content filled out to the current shape, for printing only.

    Versions frozen by older code (or older demo data) may lack keys the PDF view-model needs; the digest
    was taken over the content as stored, so defaults added here change nothing that was signed.
    """
    content = dict(version.signed_content or {})

    def rows(key, defaults):
        return [
            {**defaults, **{k: v for k, v in row.items() if k in defaults}}
            for row in content.get(key) or []
            if isinstance(row, dict)
        ]

    content["actions"] = rows("actions", ACTION_DEFAULTS)
    content["signatures"] = [
        {**s, "method": SIGNING_METHODS.get(s["method"], s["method"])} for s in rows("signatures", SIGNATURE_DEFAULTS)
    ]
    content["children"] = rows("children", {"name": "", "date_of_birth": None})
    content["taf_members"] = rows("taf_members", {"name": "", "agency": "", "role": ""})
    return SimpleNamespace(signed_content=content, number=version.number, digest=version.digest)


def plan_language_for(case, lang=None):
    """``(translator, interpreter)`` for a printing of ``case``'s plan: ``lang`` if given (an unknown code is
    English), else the first carer's preferred language; whether any carer needs an interpreter."""
    carers = list(case.family.carers)
    code = supported(lang) if lang else plan_language(carers)
    return translator(code), needs_interpreter(carers)


def plan_pdf(case, version, *, large=False, lang=None):
    """PDF bytes of ``version`` (sealed when a certificate is configured)."""
    language, interpreter = plan_language_for(case, lang)
    document = plan_document(case, version)
    return seal_if_configured(render_plan(document, large=large, language=language, interpreter=interpreter))


def plan_filename(ref, number, *, large=False, lang="en", extension="pdf"):
    language = "" if lang == "en" else f"-{lang}"
    return f"{ref}-plan-v{number}{language}{'-large-print' if large else ''}.{extension}"


@autocommit
def download_plan(case, number=None, *, large=False, lang=None):
    """The plan PDF ``(bytes, filename)`` of version ``number`` (None: the one that prints by default) in
    ``lang`` (None: the family's), the download recorded. Raises ``NoSuchDocument`` (404) or
    ``DigestMismatch`` (409), with what was asked for."""
    language = plan_language_for(case, lang)[0]
    detail = {"document": "plan", "version": number, "large": large, "lang": language.requested}
    try:
        version = plan_version_to_print(case, number)
        detail["version"] = version.number
        data = plan_pdf(case, version, large=large, lang=language.requested)
    except DomainError as error:
        error.detail = {**detail, **error.detail}
        raise
    audit.record("pdf_downloaded", assessment=case, detail=detail)
    # Named by the language it is printed in (English while the one asked for has no catalogue).
    return data, plan_filename(case.ref, version.number, large=large, lang=language.locale)


@dataclass(frozen=True)
class PlanCopy:
    """What the accessible HTML and plain-text copies of a plan version print: the same view-model as the PDF
    and its fixed text in the plan's language."""

    document: PlanDocument
    language: Translator
    wording: Wording
    interpreter: bool
    large: bool
    filename: str

    @property
    def english(self):
        """The fixed text in English, for the notes printed in English as well as in the plan's language."""
        return Wording.english()

    @property
    def front_door(self):
        """Who to contact if things get worse (the council's words, without its own 999 line: ours comes first)."""
        return without_emergency_line(self.document.front_door) or self.wording.front_door_default


@autocommit
def plan_copy(case, number=None, *, large=False, lang=None, kind="html"):
    """The plan version ``number`` as an accessible copy (``kind`` "html" or "text"), recorded like a PDF
    download. Raises what ``download_plan`` raises."""
    language, interpreter = plan_language_for(case, lang)
    detail = {"document": "plan", "format": kind, "version": number, "large": large, "lang": language.requested}
    try:
        version = plan_version_to_print(case, number)
        detail["version"] = version.number
        document = plan_document(case, version)
    except DomainError as error:
        error.detail = {**detail, **error.detail}
        raise
    audit.record("pdf_downloaded", assessment=case, detail=detail)
    extension = "html" if kind == "html" else "txt"
    filename = plan_filename(case.ref, version.number, large=large, lang=language.locale, extension=extension)
    return PlanCopy(document, language, Wording(language), interpreter, large, filename)


# --- the assessment record ---
#
# The record is the reader's: it prints in ``?lang`` when given, else in the language the reader has chosen for
# the interface (the plan, the family's, prints in the carer's language). The renderer's fixed text comes from
# the plan's catalogue through the translator; the labels built here (the family's and the agreement's rows,
# the stage) are the interface's words, already in its catalogue, so they are translated with it. The
# definition's questions, sections and options are its translation in that language (English where it has
# none); the family's answers and every name print as they were written.


def record_language(lang=None):
    """The translator a printing of the assessment record uses: ``lang`` if given (an unknown code is English),
    else the reader's interface language."""
    return translator(supported(lang) if lang else current_language())


def _family_section(case, language):
    rows = []
    for child in case.children:
        parts = [child.name]
        if child.date_of_birth:
            parts.append(gettext("born %(date)s", date=format_date(child.date_of_birth, language=language)))
        if child.school:
            parts.append(child.school)
        rows.append((gettext("Child"), ", ".join(parts)))
    for carer in case.family.carers:
        parts = [carer.name]
        if carer.relationship_to_child:
            parts.append(carer.relationship_to_child)
        if carer.preferred_language:
            parts.append(gettext("speaks %(language)s", language=carer.preferred_language))
        rows.append((gettext("Parent or carer"), ", ".join(parts)))
    return SectionDoc(title=gettext("About the family"), answers=rows)


def _answers_doc(section, saved, title, language):
    saved = saved or {}
    # TRANSLATORS: a 0 to 10 score in the printed assessment record; keep {score} and {most} as they are.
    out_of = gettext("{score} out of {most}")
    return SectionDoc(
        title=title,
        answers=[
            (spec.label, answer_display(spec, saved.get(spec.key), language=language, out_of=out_of))
            for spec in section.fields
        ],
    )


def _yes_no(value):
    return {True: gettext("Yes"), False: gettext("No")}.get(value, "")


def _agreement_section(case, language):
    """The agreement as recorded: who, when, how, the interpreter, the privacy notice and, for a young person,
    the competence judgement. None when no agreement has been recorded."""
    consent = case.current_consent
    if consent is None:
        return None
    rows = [
        (gettext("Agreed by"), consent.given_by_name),
        (gettext("Who they are"), translated(CONSENT_GIVEN_BY.get(consent.given_by_kind, ""))),
        (gettext("Date agreed"), format_date(consent.given_on, language=language)),
        (
            gettext("How it was given"),
            ", ".join(
                translated(label)
                for label in (CONSENT_FORMS.get(consent.given_as), CONSENT_CONTACTS.get(consent.given_via))
                if label
            ),
        ),
        (gettext("Interpreter used"), _yes_no(consent.interpreter_used)),
        (gettext("Interpreter's language"), consent.interpreter_language or ""),
        (gettext("Privacy notice given"), _yes_no(consent.privacy_notice_given)),
    ]
    if consent.given_by_kind == "young_person":
        rows += [
            (gettext("Judged competent to agree"), _yes_no(consent.competence_judged)),
            (gettext("How competence was judged"), consent.competence_notes or ""),
        ]
    if consent.withdrawn_on:
        rows.append((gettext("Withdrawn"), format_date(consent.withdrawn_on, language=language)))
    return SectionDoc(title=gettext("The family's agreement"), answers=rows)


def assessment_document(case, *, generated_at=None, language="en"):
    """The ``AssessmentDocument`` for ``case`` in ``language`` (a code): every section of its pinned definition,
    with every answer; a section asked of each child once for every child, under the child's name."""
    definition = localised_definition(case.definition_name, case.definition_version, language)
    answers = case.answers_by_section()
    by_child = case.answers_by_child()
    with force_locale(language):
        sections = [_family_section(case, language)]
        agreement = _agreement_section(case, language)
        if agreement is not None:
            sections.append(agreement)
        for section, child in definition.pages(case.children):
            if child is None:
                saved, title = answers.get(section.key), section.title
            else:
                saved, title = by_child.get((section.key, child.id)), section.title_for(child.name)
            sections.append(_answers_doc(section, saved, title, language))
        state_label = translated(STATE_LABELS.get(case.state, case.state))
        version = definition.version
        definition_label = gettext("%(title)s (version %(version)s)", title=definition.title, version=version)
    config = current_app.config
    return AssessmentDocument(
        reference=case.ref,
        organisation=config["EHA_ORGANISATION_NAME"],
        service_name=config["EHA_SERVICE_NAME"],
        family_name=case.family.name,
        children=[Person(name=c.name, date_of_birth=c.date_of_birth) for c in case.children],
        state_label=state_label,
        definition_label=definition_label,
        sections=sections,
        generated_at=generated_at or now_in_london(),
    )


def assessment_pdf(case, *, large=False, lang=None):
    """PDF bytes of the assessment record (sealed when a certificate is configured) in ``lang`` (None: the
    reader's language)."""
    language = record_language(lang)
    document = assessment_document(case, language=language.locale)
    return seal_if_configured(render_assessment(document, large=large, language=language))


def assessment_filename(ref, *, large=False, lang="en"):
    language = "" if lang == "en" else f"-{lang}"
    return f"{ref}-assessment{language}{'-large-print' if large else ''}.pdf"


@autocommit
def download_assessment(case, *, large=False, lang=None):
    """The assessment record PDF ``(bytes, filename)`` in ``lang`` (None: the reader's language), the download
    recorded with the language asked for."""
    language = record_language(lang)
    data = assessment_pdf(case, large=large, lang=language.requested)
    audit.record(
        "pdf_downloaded", assessment=case, detail={"document": "assessment", "large": large, "lang": language.requested}
    )
    # Named by the language it is printed in, as the plan is.
    return data, assessment_filename(case.ref, large=large, lang=language.locale)


# --- sealing ---


def seal_settings():
    """``(path, passphrase bytes)`` when a sealing certificate is configured and present, else None."""
    path = current_app.config.get("EHA_SEAL_PKCS12_PATH")
    if not path or not Path(path).is_file():
        return None
    passphrase = current_app.config.get("EHA_SEAL_PASSPHRASE")
    return Path(path), passphrase.encode("utf-8") if passphrase else None


def seal_if_configured(pdf_bytes):
    settings = seal_settings()
    if settings is None:
        return pdf_bytes
    from eha.pdf.seal import seal_pdf  # pyHanko is slow to import: only when sealing

    organisation = current_app.config["EHA_ORGANISATION_NAME"]
    return seal_pdf(
        pdf_bytes,
        settings[0],
        settings[1],
        reason=f"Issued by {organisation} early help service",
        location=organisation,
    )


# --- checking a printout ---


def normalise_digest(text):
    """The digest typed or pasted: lower case, spaces and line breaks removed; None unless 64 hex characters."""
    if not isinstance(text, str) or len(text) > 400:
        return None
    compact = re.sub(r"\s+", "", text).lower()
    return compact if DIGEST_PATTERN.fullmatch(compact) else None


@dataclass(frozen=True)
class DigestMatch:
    """A signed plan version found by its digest, and where it stands now."""

    case: Assessment
    version: PlanVersion
    current_number: int | None  # the signed version in force (None if none is signed, which cannot happen here)

    @property
    def is_current(self):
        return self.version.status == "signed"

    @property
    def case_closed(self):
        return self.case.state == CLOSED

    @property
    def standing(self):
        """ "current", "superseded by version N", and/or "case closed", in words."""
        parts = []
        if self.is_current:
            parts.append("current")
        else:
            parts.append(f"superseded by version {self.current_number}")
        if self.case_closed:
            parts.append("case closed")
        return "; ".join(parts)


@autocommit
def check_printout(text, user):
    """The signed plan the code ``text`` (typed or pasted) belongs to, if ``user`` may see its case, or None.
    A match is recorded as a look at the plan."""
    digest = normalise_digest(text)
    match = find_by_digest(digest, user)
    if match is not None:
        audit.record(
            "plan_viewed",
            assessment=match.case,
            user=user,
            detail={"verified_digest": digest, "version": match.version.number},
        )
    return match


def find_by_digest(digest, user=None, *, everything=False):
    """The signed (or superseded) plan version with ``digest`` that ``user`` may see, or None.

    ``everything=True`` (the operator's command line) ignores visibility. Drafts have no digest.
    """
    digest = normalise_digest(digest)
    if digest is None:
        return None
    query = (
        sa.select(PlanVersion, Assessment)
        .join(Assessment, Assessment.id == PlanVersion.assessment_id)
        .where(PlanVersion.digest == digest, PlanVersion.status.in_(("signed", "superseded")))
        .options(joinedload(Assessment.family))
        .limit(1)
    )
    if not everything:
        query = query.where(visible_cases_filter(user))
    row = db.session.execute(query).first()
    if row is None:
        return None
    version, case = row
    current_number = db.session.scalar(
        sa.select(sa.func.max(PlanVersion.number)).where(
            PlanVersion.assessment_id == case.id, PlanVersion.status == "signed"
        )
    )
    return DigestMatch(case=case, version=version, current_number=current_number)
