"""The demo's 18 months of history give the reports something to show: the cases' moves are dated when the
story says they happened, so the time in each state is days and weeks, not the seconds the demo took to run,
and the audit trail stamped that way still verifies."""

import csv
import io
from datetime import date, timedelta

import sqlalchemy as sa

from eha.extensions import db
from eha.models.users import User
from tests.reports.helpers import table_rows


def test_the_demo_history_shows_days_in_each_state_and_fills_the_returns(
    app, client, client_request, signed_in, demo_loaded
):
    signed_in(db.session.scalar(sa.select(User).where(User.role == "manager").order_by(User.id)))
    page = client_request.get("/reports/time-in-state?period=18m")
    rows = {row[0]: row for row in table_rows(page, "table-states")}
    assert set(rows) >= {"Assessment in progress", "Assessed", "TAF meeting scheduled", "Plan active"}
    medians = {state: float(row[2]) for state, row in rows.items()}
    assert medians["Assessment in progress"] >= 12  # assessed after 12 to 30 days
    assert medians["TAF meeting scheduled"] >= 3
    assert medians["Plan active"] >= 14
    assert all(value >= 1 for value in medians.values()), medians

    # The history children's own answers reach the returns: their ethnicity, disability, and who asked for help.
    period = f"from={(date.today() - timedelta(days=600)).isoformat()}&to={date.today().isoformat()}"
    annex_a = list(csv.reader(io.StringIO(client.get(f"/reports/returns/annex-a-early-help.csv?{period}").text)))
    assert {"a) WBRI", "j) AIND", "n) BCRB"} <= {row[2] for row in annex_a[1:]}
    assert {"a) Male", "b) Female"} <= {row[1] for row in annex_a[1:]}
    ssd = list(csv.reader(io.StringIO(client.get(f"/reports/returns/ssd-early-help.csv?{period}").text)))
    assert {"agency", "self-referral"} <= {row[4] for row in ssd[1:]}


def test_the_backdated_audit_trail_verifies(app, demo_loaded):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
