"""The accounts' secrets (password hashes, authenticator secrets, single sign-on ID tokens) are read only where
they are checked: no page's request reads them with its session, its user or a case's starter and lead."""

from eha.extensions import db
from tests.assessments import helpers
from tests.plans.helpers import get_with_statements

SECRETS = ("password_hash", "totp_secret", "id_token")


def test_no_page_reads_the_secrets(app, client, signed_in, practitioner, manager):
    record = helpers.case(practitioner)
    for user in (practitioner, manager):
        signed_in(user)
        for url in ("/", "/assessments", f"/assessments/{record.ref}", f"/assessments/{record.ref}/history"):
            db.session.remove()
            _, statements = get_with_statements(client, url, whole=True)
            read = [s for s in statements if any(secret in s for secret in SECRETS)]
            assert read == [], url
