"""Form definitions held in the database: the shipped ones, uploads, and the active version."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import FormDefinitionVersion


def ensure_shipped_definitions():
    """Store each shipped definition version not yet in the database; activate one if none is."""
    try:
        from eha.forms.definition import shipped_definitions
    except ModuleNotFoundError:
        return []
    stored = {(d.name, d.version) for d in db.session.scalars(sa.select(FormDefinitionVersion))}
    added = []
    for definition in shipped_definitions():
        if (definition.name, definition.version) not in stored:
            record = FormDefinitionVersion(
                name=definition.name, version=definition.version, title=definition.title,
                content=definition.to_text(),
            )
            db.session.add(record)
            added.append(record)
    db.session.flush()
    if db.session.scalar(sa.select(FormDefinitionVersion).where(FormDefinitionVersion.active)) is None:
        latest = db.session.scalars(
            sa.select(FormDefinitionVersion).order_by(FormDefinitionVersion.version.desc())
        ).first()
        if latest is not None:
            latest.active = True
    return added
