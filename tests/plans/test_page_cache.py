"""My cases is drawn once and served again while nothing it could show has changed (eha/page_cache.py, issue 14):
served again, it costs the session look-up and the change generation, with this request's own CSP nonce and
CSRF token; whatever anyone changes, through this worker, another worker or straight in the database, shows on
the next request (or, done outside eha, within the page's time limit). Reached as users reach it: the nurse
records progress on the progress page, the lead opens the case."""

import re
import threading
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from eha import page_cache
from eha.extensions import db
from eha.models.users import User
from tests import factories
from tests.conftest import POSTGRES_URL, _make_app
from tests.plans import helpers

NONCE = re.compile(r'<script nonce="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _statements(client, url="/"):
    response, statements = helpers.get_with_statements(client, url)
    return response.get_data(as_text=True), statements


def _nurses_case(client, signed_in, lead, nurse, health):
    """A signed plan whose first action the nurse owns, due in a week; the nurse signed in at the end."""
    case = helpers.assessed_case(lead, [health], state="plan_active")
    helpers.member(case, nurse)
    version = helpers.plan(case, lead, owners=[nurse, lead], actions=2, status="signed")
    theirs = version.actions[0]
    facts = {"ref": case.ref, "key": theirs.key, "what": theirs.what, "family_id": case.family_id}
    signed_in(nurse)
    return facts


def _progress(client, facts, progress):
    # A served request starts with an empty session; the test's requests share the test's, whose identity map
    # still holds the case as My cases loaded it (only the columns it shows), which a row lock cannot refresh.
    db.session.remove()
    url = f"/assessments/{facts['ref']}/plan/actions/{facts['key']}/progress"
    sent = {"progress": progress, "comment": "Seen the family", "version": helpers.version_on(client.get(url))}
    assert client.post(url, data=sent).status_code == 302


def test_my_cases_is_served_again_in_two_queries_with_its_own_nonce(client, signed_in, lead, nurse, health):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    first, drawn = _statements(client)
    again, served = _statements(client)
    assert len(served) == 2, "\n".join(served)  # the session and the change generation
    assert len(drawn) > len(served)
    assert facts["what"][:40] in again and facts["ref"] in again
    assert NONCE.search(first).group(1) != NONCE.search(again).group(1)
    response = client.get("/")
    nonce = NONCE.search(response.get_data(as_text=True)).group(1)
    assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    assert "\x00" not in again


def test_the_sign_out_button_on_a_page_served_again_still_signs_out(csrf_app, lead):
    client = csrf_app.test_client()
    factories.sign_in(client, lead)
    client.get("/")
    page = client.get("/").get_data(as_text=True)
    assert csrf_app.extensions["eha_page_cache"].hits >= 1
    token = CSRF.search(page).group(1)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out: sent to sign in


def test_progress_recorded_shows_at_once(client, signed_in, lead, nurse, health):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    assert "Your actions" in client.get("/").get_data(as_text=True)
    client.get("/")
    _progress(client, facts, "done")
    assert "Your actions" not in client.get("/").get_data(as_text=True)


def test_a_change_in_another_worker_shows_here(client, signed_in, lead, nurse, health, database_url, mail_dir):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    assert "Your actions" in client.get("/").get_data(as_text=True)
    nurse_id = nurse.id
    other = _make_app(database_url, EHA_MAIL_DIR=str(mail_dir))  # a second gunicorn worker on the same database
    with other.app_context():
        elsewhere = other.test_client()
        factories.sign_in(elsewhere, db.session.get(User, nurse_id))
        _progress(elsewhere, facts, "done")
        db.session.remove()
    assert "Your actions" not in client.get("/").get_data(as_text=True)


def test_looking_at_a_case_keeps_the_page(client, signed_in, lead, nurse, health):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    client.get("/")
    assert client.get(f"/assessments/{facts['ref']}").status_code == 200  # writes only its audit event
    _, served = _statements(client)
    assert len(served) == 2, "\n".join(served)


@pytest.mark.parametrize("how", ["orm", "core", "text"])
def test_every_way_of_writing_shows(client, signed_in, lead, nurse, health, how):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    client.get("/")
    from eha.models.families import Family

    if how == "orm":
        db.session.get(Family, facts["family_id"]).name = "The Renamed family"
    elif how == "core":
        db.session.execute(sa.update(Family).where(Family.id == facts["family_id"]).values(name="The Renamed family"))
    else:
        db.session.execute(sa.text("UPDATE families SET name = 'The Renamed family' WHERE id = :id"),
                           {"id": facts["family_id"]})  # fmt: skip
    db.session.commit()
    assert "The Renamed family" in client.get("/").get_data(as_text=True)


def test_a_change_shows_when_committed_and_never_if_rolled_back(client, signed_in, lead, nurse, health):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    rename = sa.text("UPDATE families SET name = :name WHERE id = :id")
    client.get("/")
    db.session.remove()
    with db.engine.connect() as elsewhere:
        elsewhere.execute(rename, {"name": "The Undone family", "id": facts["family_id"]})
        elsewhere.rollback()
    assert "The Undone family" not in client.get("/").get_data(as_text=True)
    with db.engine.begin() as elsewhere:
        elsewhere.execute(rename, {"name": "The Committed family", "id": facts["family_id"]})
    assert "The Committed family" in client.get("/").get_data(as_text=True)


def test_each_person_and_language_has_their_own_page(client, signed_in, lead, nurse, health):
    _nurses_case(client, signed_in, lead, nurse, health)
    nurses = client.get("/").get_data(as_text=True)
    assert "Signed in as Nia Nurse" in nurses
    signed_in(lead)
    assert "Signed in as Lena Lead" in client.get("/").get_data(as_text=True)
    signed_in(nurse)
    assert "Signed in as Nia Nurse" in client.get("/").get_data(as_text=True)
    welsh = client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    assert "Fy achosion" in welsh
    assert "Fy achosion" not in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_message_shows_once(client, signed_in, lead, nurse, health):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Progress recorded for the family")]
    assert "Progress recorded for the family" in client.get("/").get_data(as_text=True)
    assert "Progress recorded for the family" not in client.get("/").get_data(as_text=True)
    assert facts["ref"] in client.get("/").get_data(as_text=True)


def test_an_action_falls_overdue_at_midnight(client, signed_in, lead, nurse, health):
    _nurses_case(client, signed_in, lead, nurse, health)
    from eha.models.plans import PlanAction

    due = db.session.scalars(sa.select(PlanAction.due_on).where(PlanAction.due_on.is_not(None))).first()
    evening = datetime.combine(due, time(23, 50))
    with time_machine.travel(evening, tick=False):
        signed_in(nurse)
        assert "Overdue" not in client.get("/").get_data(as_text=True)
        client.get("/")
    with time_machine.travel(evening + timedelta(minutes=15), tick=False):
        assert "Overdue" in client.get("/").get_data(as_text=True)


def test_a_change_made_outside_eha_shows_within_the_time_limit(client, signed_in, lead, nurse, health, monkeypatch):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    client.get("/")
    raw = db.engine.raw_connection()  # as psql would: past the engine's events
    try:
        cursor = raw.cursor()
        cursor.execute(f"UPDATE families SET name = 'The Outside family' WHERE id = {int(facts['family_id'])}")
        raw.commit()
    finally:
        raw.close()
    assert "The Outside family" not in client.get("/").get_data(as_text=True)
    later = page_cache.time.monotonic() + client.application.config["EHA_PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert "The Outside family" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("app_settings", [{"EHA_PAGE_CACHE_SECONDS": 0}])
def test_with_the_cache_off_every_page_is_drawn(client, signed_in, lead, nurse, health):
    _nurses_case(client, signed_in, lead, nurse, health)
    _, first = _statements(client)
    _, second = _statements(client)
    assert len(second) == len(first) > 2
    assert not any("change_generation" in statement for statement in second)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite runs one writer at a time")
def test_writers_committing_at_once_each_bump_the_generation(client, signed_in, lead, nurse, health):
    facts = _nurses_case(client, signed_in, lead, nurse, health)
    writers = 8
    families = [facts["family_id"]] + [helpers.family(lead, name=f"The Other{i} family").id for i in range(writers - 1)]
    db.session.commit()
    client.get("/")
    db.session.remove()
    read = sa.text("SELECT n FROM change_generation WHERE id = 1")
    with db.engine.connect() as conn:
        before = conn.execute(read).scalar()
    barrier = threading.Barrier(writers)
    failures = []
    engine = db.engine

    def rename(index):
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE families SET name = :name WHERE id = :id"),
                             {"name": f"The Writer{index} family", "id": families[index]})  # fmt: skip
                barrier.wait(timeout=10)  # every transaction has written its own row: now all commit at once
        except Exception as exc:  # any failure is the finding
            failures.append(repr(exc))

    threads = [threading.Thread(target=rename, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    with db.engine.connect() as conn:
        assert conn.execute(read).scalar() == before + writers
    assert "The Writer0 family" in client.get("/").get_data(as_text=True)
