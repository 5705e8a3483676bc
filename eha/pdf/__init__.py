"""PDF renderers for the signed family plan and the assessment record.

Plain data in, bytes out: build a ``PlanDocument`` / ``AssessmentDocument`` (``eha.pdf.model``) and call
``render_plan`` / ``render_assessment``. ``eha.pdf.digest`` computes the digest printed on a signed plan;
``eha.pdf.seal`` seals the PDF with a PAdES signature (imported separately: pyHanko is slow to import).
"""

from .assessment import render_assessment
from .digest import canonical_plan_content, plan_digest, signed_plan_content
from .model import Action, AssessmentDocument, Contact, Member, Person, PlanDocument, SectionDoc, Signature
from .plan import render_plan

__all__ = [
    "Action",
    "AssessmentDocument",
    "Contact",
    "Member",
    "Person",
    "PlanDocument",
    "SectionDoc",
    "Signature",
    "canonical_plan_content",
    "plan_digest",
    "render_assessment",
    "render_plan",
    "signed_plan_content",
]
