"""References stay unique when several people start assessments at the same moment."""

import threading

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import ReferenceCounter
from eha.services import assessments as service
from tests.conftest import POSTGRES_URL


def test_the_counter_row_is_created_on_first_use(app):
    assert db.session.get(ReferenceCounter, "TST") is None
    assert service.allocate_reference("TST") == "TST-000001"
    assert service.allocate_reference("TST") == "TST-000002"
    db.session.commit()


@pytest.mark.skipif(not POSTGRES_URL, reason="threads need a server database; SQLite serialises writers anyway")
@pytest.mark.parametrize("existing_row", [True, False], ids=["counter exists", "first ever reference"])
def test_people_starting_at_the_same_moment_get_different_references(app, existing_row):
    if existing_row:
        service.allocate_reference()
        db.session.commit()
    workers = 12
    barrier = threading.Barrier(workers)
    refs, errors = [], []

    def start():
        with app.app_context():
            try:
                barrier.wait()
                refs.append(service.allocate_reference())
                db.session.commit()
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(refs) == workers and len(set(refs)) == workers
    db.session.expire_all()
    assert db.session.scalar(sa.select(ReferenceCounter.value).where(ReferenceCounter.prefix == "EHA")) == (
        workers + (1 if existing_row else 0)
    )
