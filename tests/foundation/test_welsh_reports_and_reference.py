"""The last English pages in Welsh (issue 18): a report's own title, columns, filters and chart, its download;
the state diagram's own labels; the API reference's prose; the pages previewing and comparing form definitions.
Each asked for with ``?lang=cy`` as a user would; the contracts (a return's headings, the API's data, the
endpoints and field names) stay as they are."""

import csv
import io
from datetime import date
from pathlib import Path

from babel.dates import format_date as babel_format_date

from tests.api.helpers import bearer, token_for
from tests.forms.test_definition_review import _changed_v3
from tests.reports.helpers import case
from tests.workflow.helpers import team


def _welsh_report(client, client_request, signed_in, app, name, query=""):
    lead, nurse, manager = team(app)
    case(lead, [nurse.agency], family="Bennett", child=("Ella", "Bennett", date(2015, 5, 3)), started=date.today())
    signed_in(manager)
    return client_request.get(f"/reports/{name}?lang=cy{query}")


def test_a_report_in_welsh_has_its_title_columns_months_filters_and_chart_in_welsh(
    app, client, client_request, signed_in
):
    page = _welsh_report(client, client_request, signed_in, app, "cases-over-time")
    assert page.h1 == "Achosion ar agor, wedi’u dechrau ac wedi’u cau" and page.title.startswith(page.h1)
    assert "Achosion bob mis" in page.words("h2")
    assert page.words("#table-months + table thead th") == [
        "Mis",
        "Wedi’u dechrau",
        "Ar gau",
        "Ar agor ar ddiwedd y mis",
    ]
    this_month = babel_format_date(date.today().replace(day=1), "LLL y", locale="cy")
    first_cells = [th.text_content().strip() for th in page.select("#table-months + table tbody th")]
    assert this_month in first_cells, first_cells
    assert not any(cell.split()[0] in ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep") for cell in first_cells)
    assert page.one("label[for=period]").text_content().strip() == "Cyfnod"
    assert "Y 12 mis diwethaf" in page.words("#period option")
    assert page.words("#state option")[0] == "Unrhyw gyflwr"
    assert "Cyfarfod TAF wedi’i drefnu" in page.words("#state option")
    assert page.one("svg title").text_content().startswith("Siart bar o achosion bob mis (achosion)")
    legend = " ".join(t.text_content() for t in page.select("figure svg text"))
    assert "Wedi’u dechrau" in legend and "Started" not in legend
    assert page.one("figcaption").text_content().strip() == page.one("svg title").text_content()


def test_a_state_chosen_wrongly_is_told_in_welsh(app, client, client_request, signed_in):
    page = _welsh_report(client, client_request, signed_in, app, "timeliness", "&state=nonsense")
    assert "Dewiswch gyflwr o’r rhestr" in page.words(".govuk-error-summary a")
    assert page.h1 == "Prydlondeb"
    assert "Wedi’u cwblhau o fewn 20 diwrnod gwaith" in page.words("#table-months + table thead th")


def test_a_table_downloaded_from_the_welsh_page_has_welsh_headings_but_a_return_keeps_its_specification(
    app, client, client_request, signed_in
):
    page = _welsh_report(client, client_request, signed_in, app, "cases-by-state-and-agency")
    link = next(
        a.get("href") for a in page.select("a[href$='.csv'], a[href*='.csv?']") if "states.csv" in a.get("href")
    )
    rows = list(csv.reader(io.StringIO(client.get(link).text)))
    assert rows[0] == ["Cyflwr", "Achosion"]
    assert rows[1] == ["Asesiad ar y gweill", "1"]
    period = "from=2025-04-01&to=2026-03-31"
    for name in ("ssd-early-help", "annex-a-early-help", "supporting-families"):
        welsh = client.get(f"/reports/returns/{name}.csv?{period}&lang=cy").text.splitlines()[0]
        english = client.get(f"/reports/returns/{name}.csv?{period}&lang=en").text.splitlines()[0]
        assert welsh == english, name
    returns = client_request.get("/reports/returns?lang=cy")
    assert "Canlyniadau Cefnogi Teuluoedd" in returns.words("h2")
    assert any("Ebrill" in a and "i Fawrth" in a for a in returns.words("a[download]"))


def test_the_reports_index_lists_the_reports_by_their_welsh_titles(app, client, client_request, signed_in):
    page = _welsh_report(client, client_request, signed_in, app, "caseload")
    assert page.h1 == "Llwyth achosion"
    index = client_request.get("/reports?lang=cy")
    assert {"Prydlondeb", "Llwyth achosion", "Y darlun amlasiantaethol"} <= set(index.words("main ul a"))


def test_the_api_keeps_reports_in_english_whoever_asks(app, client, client_request, signed_in):
    _lead, _nurse, manager = team(app)
    token = token_for(app, manager, scopes=("read",))
    signed_in(manager)
    client_request.get("/reports?lang=cy")  # the manager's own language is Welsh from now on
    headers = {**bearer(token), "Accept-Language": "cy"}
    body = client.get("/api/v1/reports/caseload", headers=headers).get_json()
    assert body["title"] == "Caseload" and body["tables"][0]["columns"][0] == "Agency"
    rows = list(csv.reader(io.StringIO(client.get(body["tables"][0]["csv"], headers=headers).text)))
    assert rows[0] == ["Agency", "Open cases", "Lead professionals"]


def test_the_state_diagram_is_drawn_in_welsh_for_the_welsh_page(client, client_request):
    page = client_request.get("/help/workflow?lang=cy")
    src = page.one("img.app-workflow-diagram").get("src")
    assert src == "/help/workflow.svg?lang=cy"
    svg = client.get(src).get_data(as_text=True)
    assert "Cyfarfod TAF" in svg and ">wedi’i drefnu<" in svg and ">Ar gau<" in svg
    assert "Sut mae achos" in svg.split("</title>")[0]  # its own title, what a screen reader announces
    for english in ("Assessment in progress", "TAF meeting", "Plan active", "Review scheduled", "Closed<"):
        assert english not in svg, english
    assert "Mae pob cam yn rhedeg ei wiriadau yn gyntaf" in svg
    # Whoever's session is Welsh, the address without a language is the README's English copy.
    english = client.get("/help/workflow.svg").get_data(as_text=True)
    assert english == (Path(__file__).resolve().parents[2] / "docs" / "workflow.svg").read_text()
    assert client_request.get("/help/workflow?lang=en").one("img.app-workflow-diagram").get("src") == (
        "/help/workflow.svg"
    )


def test_the_api_reference_reads_in_welsh_and_keeps_the_contract_as_written(client_request):
    english = client_request.get("/api/v1/docs?lang=en")
    page = client_request.get("/api/v1/docs?lang=cy")
    assert page.tree.get("lang") == "cy"
    assert {"Mewngofnodi", "Pwyntiau terfyn", "Sgemâu"} <= set(page.words("h2"))
    assert "Paramedrau" in page.words("caption") and "Ymatebion" in page.words("caption")
    assert "Every call but the token endpoint" not in page.text and "Mae pob galwad" in page.text
    # The endpoints and the field names are the contract: the same list in both languages.
    assert page.words("h3") == english.words("h3")
    assert "Authorization: Bearer <token>" in page.words("code")
    assert any(p.get("lang") == "en" for p in page.select("main p"))  # the document's own prose, marked English


def test_the_definition_review_and_preview_read_in_welsh(client_request, signed_in, admin):
    signed_in(admin)
    uploaded = client_request.post("/admin/definitions", data={"content": _changed_v3()}).location
    page = client_request.get(f"{uploaded}?lang=cy")
    assert page.h1.endswith("(fersiwn 3)")
    assert any(h.startswith("Newidiadau o’r fersiwn weithredol") for h in page.words("h2"))
    keys = page.words("#changes dt")
    assert keys == [
        "Adrannau wedi’u hychwanegu",
        "Adrannau wedi’u dileu",
        "Adrannau wedi’u newid",
        "Cwestiynau wedi’u hychwanegu",
        "Cwestiynau wedi’u dileu",
        "Cwestiynau wedi’u newid",
    ]
    changes = " ".join(page.words("#changes dd"))
    assert "nid yw’n ofynnol mwyach" in changes and "Hobbies" in changes  # the question's own words as written
    assert "no longer required" not in changes and "Sections added" not in page.text
    links = page.select("main ol a")
    preview = client_request.get(links[1].get("href") + "?lang=cy")
    assert preview.h1.startswith("Rhagolwg: ") and preview.h1.endswith("[enw’r plentyn]")
    assert "Nid yw dim a deipiwch yma yn cael ei gadw" in preview.text
    assert "Nothing you type here is saved" not in preview.text
