"""The managers' reports and the statutory returns through the API: a manager's token lists them, reads a report's
tables and downloads each as CSV, the same file the report page gives, audited as an export; anyone else's token
gets 404, as the pages answer; bad filters are a 400 with the reason."""

import csv
import io

import pytest
import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from tests import factories
from tests.api.helpers import bearer, client_credentials, token_for
from tests.api.test_clients_and_webhooks import _token
from tests.security.helpers import seed_world


def _exports():
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.seq)).all()


@pytest.fixture
def world(app):
    return seed_world()


@pytest.fixture
def manager_token(app, world):
    return token_for(app, world.users["manager"], scopes=("read",))


def test_a_managers_token_lists_the_reports_and_the_returns(client, manager_token):
    listing = client.get("/api/v1/reports", headers=bearer(manager_token))
    assert listing.status_code == 200
    names = [report["name"] for report in listing.json["reports"]]
    assert "cases-by-state-and-agency" in names and "timeliness" in names
    returns = {item["name"]: item["csv"] for item in listing.json["returns"]}
    assert returns["ssd-early-help"] == "/api/v1/returns/ssd-early-help.csv"


def test_a_reports_tables_download_as_the_same_csv_the_page_gives(app, client, world, manager_token):
    outline = client.get("/api/v1/reports/cases-by-state-and-agency?period=last-fy", headers=bearer(manager_token))
    assert outline.status_code == 200, outline.json
    assert outline.json["period"] == "last-fy" and outline.json["tables"]
    assert outline.json["from"].endswith("-04-01") and outline.json["to"].endswith("-03-31")
    page = app.test_client()
    factories.sign_in(page, world.users["manager"])
    for table in outline.json["tables"]:
        by_api = client.get(table["csv"] + "?period=last-fy", headers=bearer(manager_token))
        assert by_api.status_code == 200 and by_api.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(by_api.get_data(as_text=True))))
        assert rows[0] == table["columns"]
        by_page = page.get(f"/reports/cases-by-state-and-agency/{table['key']}.csv?period=last-fy")
        assert by_api.get_data() == by_page.get_data()
    exports = _exports()
    assert len(exports) == 2 * len(outline.json["tables"])
    assert exports[0].user_id == world.users["manager"].id
    assert exports[0].detail["export"] == f"report:cases-by-state-and-agency:{outline.json['tables'][0]['key']}"


def test_a_return_downloads_for_a_period_and_is_audited(client, world, manager_token):
    response = client.get(
        "/api/v1/returns/ssd-early-help.csv?from=2025-04-01&to=2026-03-31", headers=bearer(manager_token)
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "ssd-early-help-2025-04-01-to-2026-03-31.csv" in response.headers["Content-Disposition"]
    assert next(csv.reader(io.StringIO(response.get_data(as_text=True))))  # a header row
    (export,) = _exports()
    assert export.detail == {
        "export": "return:ssd-early-help",
        "format": "csv",
        "from": "2025-04-01",
        "to": "2026-03-31",
    }


def test_a_data_warehouse_acting_as_a_manager_gets_the_returns(app, client, world):
    client_id, secret = client_credentials(app, world.users["admin"], world.users["manager"], scopes=("read",))
    token = _token(client, client_id, secret).json["access_token"]
    assert client.get("/api/v1/returns/annex-a-early-help.csv", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("who", ["taf", "lead"])
def test_anyone_but_a_manager_is_told_there_is_nothing_there(app, client, world, who):
    token = token_for(app, world.users[who], scopes=("read",))
    for url in (
        "/api/v1/reports",
        "/api/v1/reports/timeliness",
        "/api/v1/reports/timeliness/summary.csv",
        "/api/v1/returns/ssd-early-help.csv",
    ):
        assert client.get(url, headers=bearer(token)).status_code == 404, url
    assert _exports() == []


def test_bad_filters_and_unknown_reports_are_clear_answers_never_a_500(client, manager_token):
    headers = bearer(manager_token)
    bad_period = client.get("/api/v1/reports/timeliness?period=forever", headers=headers)
    assert bad_period.status_code == 400 and bad_period.json["message"] == "Choose a period from the list"
    backwards = client.get("/api/v1/returns/ssd-early-help.csv?from=2026-03-31&to=2025-04-01", headers=headers)
    assert backwards.status_code == 400 and "YYYY-MM-DD" in backwards.json["message"]
    assert client.get("/api/v1/reports/timeliness/nothing.csv", headers=headers).status_code == 404
    assert client.get("/api/v1/reports/nothing", headers=headers).status_code == 404
    assert client.get("/api/v1/returns/nothing.csv", headers=headers).status_code == 404
    forged = client.get("/api/v1/reports/timeliness?lead_agency=99999999999&from=2026-02-30", headers=headers)
    assert forged.status_code == 400
    assert _exports() == []
