"""The migrations are the schema: one head, and the models agree with them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from eha.extensions import db
from eha.models import include_in_autogenerate


def _script():
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_there_is_exactly_one_head(app):
    assert len(_script().get_heads()) == 1


def test_migration_files_are_numbered_and_named_after_their_revision(app):
    for revision in _script().walk_revisions():
        filename = revision.path.rsplit("/", 1)[-1]
        assert filename == f"{revision.revision}.py"
        assert revision.revision[:4].isdigit() and revision.revision[4] == "_"


def test_the_models_and_the_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
