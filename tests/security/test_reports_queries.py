"""The access review and grants pages make the same number of queries however many users and events there are."""

from contextlib import contextmanager

import sqlalchemy as sa

from eha.extensions import db
from tests import factories


class _Counter:
    count = 0


@contextmanager
def count_queries():
    counter = _Counter()

    def before(*_args, **_kwargs):
        counter.count += 1

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def test_the_access_review_query_count_does_not_grow_with_users(client, world):
    factories.sign_in(client, world.users["manager"])
    client.get("/reports/access-review")
    with count_queries() as few:
        assert client.get("/reports/access-review").status_code == 200
    for _n in range(12):
        user = factories.user(agency=world.users["taf"].agency)
        other = client.application.test_client()
        factories.sign_in(other, user)
    with count_queries() as many:
        client.get("/reports/access-review")
    assert many.count == few.count


def test_the_user_list_query_count_does_not_grow_with_users(client, admin, signed_in):
    signed_in(admin)
    client.get("/admin/users")
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(10):
        factories.user(agency=factories.agency())
    with count_queries() as many:
        client.get("/admin/users")
    assert many.count == few.count


def test_the_access_review_reads_the_columns_it_shows_and_no_secrets(client, world):
    manager = world.users["manager"]
    factories.sign_in(client, manager)
    client.get("/reports/access-review")
    statements = []
    listener = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = client.get("/reports/access-review")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert page.status_code == 200
    # Each person's name, email, role, agency and last sign-in still show.
    at = page.text.index(manager.email)
    row = page.text[page.text.rindex("<tr", 0, at) : page.text.index("</tr>", at)]
    assert manager.name in row and manager.agency.name in row and "Manager" in row
    reading_users = [s for s in statements if "FROM users" in s and "user_sessions" not in s]
    assert reading_users and not [s for s in reading_users if "password_hash" in s or "totp_secret" in s]
