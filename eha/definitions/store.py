"""Form definitions held in the database: the shipped ones, uploads, and the active version."""

import sqlalchemy as sa
from sqlalchemy.orm import defer

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


# The databases this process has stored the shipped definitions in (a deploy that ships a new version stores it
# on first use after the restart; every later request reads only the active row).
_shipped_stored = set()


def _active_record():
    return db.session.scalar(
        sa.select(FormDefinitionVersion)
        .where(FormDefinitionVersion.active)
        .options(defer(FormDefinitionVersion.content))
    )


def active_definition_record():
    """The definition version new assessments start on: one indexed read of the active row (its content, the
    large part, is read only if asked for). Never cached in the process, so an administrator's activation is
    seen at once by every gunicorn worker; the parsed definition is cached by name and version, which never
    change (``get_stored_definition``)."""
    database = db.engine.url.render_as_string(hide_password=True)
    if database not in _shipped_stored:
        ensure_shipped_definitions()
        _shipped_stored.add(database)
    record = _active_record()
    if record is None:  # none active yet (a new or emptied database)
        ensure_shipped_definitions()
        record = _active_record()
    return record


# --- a version's text in another language (eha.definitions.translations) ---


def _latest_translation_id(name, version, language):
    from eha.models.assessments import FormDefinitionTranslation

    return db.session.scalar(
        sa.select(FormDefinitionTranslation.id)
        .join(FormDefinitionVersion, FormDefinitionVersion.id == FormDefinitionTranslation.definition_id)
        .where(
            FormDefinitionVersion.name == name,
            FormDefinitionVersion.version == version,
            FormDefinitionTranslation.language == language,
        )
        .order_by(FormDefinitionTranslation.id.desc())
        .limit(1)
    )


def _shipped_translation_text(definition, language):
    """The translation file shipped beside ``definition``, if it is the shipped version (not an upload that took
    its name and version in another database) and has one."""
    from eha.definitions.loading import get_definition
    from eha.definitions.translations import shipped_translation_path

    try:
        shipped = get_definition(definition.name, definition.version)
    except KeyError:
        return None
    path = shipped_translation_path(definition.name, definition.version, language)
    if shipped.digest != definition.digest or not path.exists():
        return None
    return path.read_bytes()


def stored_translation(name, version, language):
    """``(Translation or None, where it came from)``: the latest uploaded for this version and language, else the
    file shipped beside it; ``where`` is the upload's id, ``"shipped"`` or None."""
    from eha.definitions.translations import load_translation
    from eha.models.assessments import FormDefinitionTranslation

    definition = get_stored_definition(name, version)
    upload_id = _latest_translation_id(name, version, language)
    if upload_id is not None:
        text, where = db.session.get(FormDefinitionTranslation, upload_id).content, upload_id
    else:
        text = _shipped_translation_text(definition, language)
        where = "shipped" if text is not None else None
    return (load_translation(text, definition) if text is not None else None), where


def localised_definition(name, version, language):
    """The stored definition with its text in ``language`` where it has a translation, English elsewhere. One
    small query for a language other than English (an upload is seen at once by every worker); parsed once."""
    from eha.definitions.translations import TRANSLATION_LANGUAGES, localise

    if language not in TRANSLATION_LANGUAGES:
        return get_stored_definition(name, version)
    source = _latest_translation_id(name, version, language) or "shipped"
    # Kept with the parsed definitions, so whatever forgets those (a test's fresh database) forgets these too.
    key = (name, version, language, source)
    if key not in _parsed_cache:
        translation, _where = stored_translation(name, version, language)
        _parsed_cache[key] = localise(get_stored_definition(name, version), translation)
    return _parsed_cache[key]


def reader_definition(case):
    """The case's definition in the reader's language: for what a page shows, never for what is stored."""
    from eha.i18n import current_language

    return localised_definition(case.definition_name, case.definition_version, current_language())
