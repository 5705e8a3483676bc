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
