"""The accounts' secrets (password hashes, authenticator secrets, single sign-on ID tokens) are read only where
they are checked: no page's request reads them with its session, its user or a case's starter and lead."""

import sqlalchemy as sa

from eha.extensions import db
from tests.assessments import helpers

SECRETS = ("password_hash", "totp_secret", "id_token")


def _statements(client, url):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    db.session.remove()
    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return statements


def test_no_page_reads_the_secrets(app, client, signed_in, practitioner, manager):
    record = helpers.case(practitioner)
    for user in (practitioner, manager):
        signed_in(user)
        for url in ("/", "/assessments", f"/assessments/{record.ref}", f"/assessments/{record.ref}/history"):
            read = [s for s in _statements(client, url) if any(secret in s for secret in SECRETS)]
            assert read == [], url
