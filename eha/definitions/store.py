"""Form definitions held in the database: the shipped ones, uploads, and the active version."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import FormDefinitionVersion


def ensure_shipped_definitions():
    """Store each shipped definition version not yet in the database; activate one if none is."""
    from eha.definitions import shipped_definitions

    stored = {(d.name, d.version) for d in db.session.scalars(sa.select(FormDefinitionVersion))}
    added = []
    for definition in shipped_definitions():
        if (definition.name, definition.version) not in stored:
            record = FormDefinitionVersion(
                name=definition.name,
                version=definition.version,
                title=definition.title,
                content=definition.to_text(),
            )
            db.session.add(record)
            added.append(record)
    db.session.flush()
    active = db.session.scalar(sa.select(FormDefinitionVersion).where(FormDefinitionVersion.active))
    if active is None or _shipped_version_supersedes(active, added):
        # The newest shipped version: an upload waits for an administrator to activate it.
        latest = db.session.scalars(
            sa.select(FormDefinitionVersion)
            .where(FormDefinitionVersion.created_by_id.is_(None))
            .order_by(FormDefinitionVersion.version.desc())
        ).first()
        if latest is not None and latest is not active:
            if active is not None:
                active.active = False
                db.session.flush()
            latest.active = True
    return added


def _shipped_version_supersedes(active, added):
    """A newly shipped version of the active definition takes over from a shipped one (an administrator's
    upload stays active until they choose otherwise)."""
    return active.created_by_id is None and any(r.name == active.name and r.version > active.version for r in added)


_parsed_cache = {}


def definition_for(case):
    """The form ``Definition`` an assessment is pinned to (parsed once per process)."""
    return get_stored_definition(case.definition_name, case.definition_version)


def get_stored_definition(name, version):
    from eha.definitions import load_definition

    key = (name, version)
    if key not in _parsed_cache:
        record = db.session.scalar(
            sa.select(FormDefinitionVersion).where(
                FormDefinitionVersion.name == name, FormDefinitionVersion.version == version
            )
        )
        if record is None:
            ensure_shipped_definitions()
            record = db.session.scalar(
                sa.select(FormDefinitionVersion).where(
                    FormDefinitionVersion.name == name, FormDefinitionVersion.version == version
                )
            )
        if record is None:
            raise LookupError(f"No form definition {name} version {version}")
        _parsed_cache[key] = load_definition(record.content)
    return _parsed_cache[key]


def active_definition_record():
    """The definition version new assessments start on."""
    ensure_shipped_definitions()
    return db.session.scalar(sa.select(FormDefinitionVersion).where(FormDefinitionVersion.active))
