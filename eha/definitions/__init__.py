"""The assessment as data: a versioned form definition (YAML or JSON under ``shipped/``), checked on loading,
and the helpers that read saved answers against it. The forms, the services, the workflow guards and the PDFs
all import from here; nothing else needs to know how a definition or an answer is shaped.

- ``schema``: the JSON Schema and the immutable dataclasses (``Definition``, ``Section``, ``FieldSpec``);
- ``loading``: parse, check and build a definition; the shipped ones;
- ``answers``: what is answered, missing, the needs identified and the scaling scores;
- ``store``: definitions held in the database (uploads, the active version, a case's own version).
"""

from eha.definitions.answers import (
    answer_display,
    answer_items,
    as_score,
    is_answered,
    missing_required,
    needs_identified,
    scaling_scores,
    section_status,
)
from eha.definitions.loading import get_definition, latest_definition, load_definition, shipped_definitions
from eha.definitions.schema import (
    STATUS_COMPLETED,
    STATUS_IN_PROGRESS,
    STATUS_NOT_STARTED,
    Definition,
    DefinitionError,
    FieldSpec,
    Option,
    Section,
)

__all__ = [
    "STATUS_COMPLETED",
    "STATUS_IN_PROGRESS",
    "STATUS_NOT_STARTED",
    "Definition",
    "DefinitionError",
    "FieldSpec",
    "Option",
    "Section",
    "answer_display",
    "answer_items",
    "as_score",
    "is_answered",
    "get_definition",
    "latest_definition",
    "load_definition",
    "missing_required",
    "needs_identified",
    "scaling_scores",
    "section_status",
    "shipped_definitions",
]
