"""The SHA-256 digest printed on a signed plan, so a paper copy can be checked against the record.

The workflow computes ``plan_digest(content)`` once, when a plan version has been signed by everyone, stores
it with that version, and passes it to the PDF as ``PlanDocument.digest``. Anyone can later recompute it
from the stored version and compare it with the printed one.

What the dict contains (``signed_plan_content`` builds exactly this from a ``PlanDocument``)::

    {
      "schema": "eha-plan/1",                 # bump if the shape below ever changes
      "reference": "EHA-000123",
      "version": 2,
      "family_name": "Bennett",
      "children": [{"name": ..., "date_of_birth": "2015-05-03" | None}, ...],   # in printed order
      "lead": {"name", "role", "agency", "phone", "email"},
      "taf_members": [{"name", "agency", "role"}, ...],
      "worries": "...",
      "working_well": "...",
      "needs": ["...", ...],
      "actions": [{"number", "need", "what", "who", "is_family", "by_when": "2026-03-06" | None,
                   "success"}, ...],          # in plan order
      "next_review": "2026-04-10" | None,
      "signatures": [{"name", "role", "signed_on": "2026-02-13", "method"}, ...],   # in signing order
    }

``signatures`` are the ones the version was signed with (frozen): the lead's and the family's that completed the
set. Anyone who signs the signed version later (another parent, the young person, a TAF member) is printed under
"Signed after the plan was agreed" and is not part of the digest, so a printed copy still checks.

Left out on purpose: the organisation and service name, the "if things get worse" text (council settings that
may change without changing the plan), ``is_draft`` (a signed version is never a draft), ``generated_at``
(each printing differs) and the digest itself.

Canonical form: JSON with sorted keys, separators ``(",", ":")``, ``ensure_ascii=False``, UTF-8; dates and
datetimes as ISO 8601; every string Unicode NFC-normalised (so "Nguyễn" typed on different keyboards gives the
same digest); tuples as lists. Anything else (sets, floats that are not finite, arbitrary objects) is refused
rather than guessed at, because an ambiguous encoding would make the digest meaningless.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import unicodedata
from datetime import date

from .model import PlanDocument

SCHEMA = "eha-plan/1"


def _normalise(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Non-finite number in plan content")
        return value
    if isinstance(value, date):  # datetimes too: both have isoformat()
        return value.isoformat()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"Plan content keys must be strings, not {type(key).__name__}")
            out[unicodedata.normalize("NFC", key)] = _normalise(item)
        return out
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    raise TypeError(f"Cannot put {type(value).__name__} in the plan digest")


def canonical_plan_content(data: dict) -> bytes:
    """The exact bytes the digest is taken over (see the module docstring)."""
    if not isinstance(data, dict):
        raise TypeError("Plan content must be a dict")
    return json.dumps(
        _normalise(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def plan_digest(data: dict) -> str:
    """SHA-256 of ``canonical_plan_content(data)``, as 64 lower-case hex characters."""
    return hashlib.sha256(canonical_plan_content(data)).hexdigest()


def signed_plan_content(doc: PlanDocument) -> dict:
    """The digest dict for a plan version, built from the same view-model the PDF prints."""

    def fields(obj, *names):
        return {name: getattr(obj, name) for name in names}

    return {
        "schema": SCHEMA,
        "reference": doc.reference,
        "version": doc.version,
        "family_name": doc.family_name,
        "children": [fields(c, "name", "date_of_birth") for c in doc.children],
        "lead": dataclasses.asdict(doc.lead),
        "taf_members": [fields(m, "name", "agency", "role") for m in doc.taf_members],
        "worries": doc.worries,
        "working_well": doc.working_well,
        "needs": list(doc.needs),
        "actions": [fields(a, "number", "need", "what", "who", "is_family", "by_when", "success") for a in doc.actions],
        "next_review": doc.next_review,
        "signatures": [fields(s, "name", "role", "signed_on", "method") for s in doc.signatures],
    }
