"""``client_request``: a test client that asserts the status and returns the page parsed, checking on every page
what every page must be (Notify admin's ``client_request``): one ``<h1>``, a ``<title>`` that starts with it
(after "Error: "), ids used once, and forms that post somewhere this app answers.

    page = client_request.get("/assessments/EHA-000001")              # asserts 200
    page = client_request.post("/sign-in", data={...}, expected_status=302)
    page.h1, page.title, page.text, page.select("table tr"), page.one("#case-status-heading")
"""

from urllib.parse import urlsplit

import lxml.html
from werkzeug.exceptions import MethodNotAllowed, NotFound


class Page:
    def __init__(self, response):
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.html = response.get_data(as_text=True)
        self.tree = lxml.html.fromstring(self.html) if self.html.strip() else None

    @property
    def text(self):
        """The visible words, spaces collapsed."""
        if self.tree is None:
            return ""
        body = self.tree.find("body")
        return " ".join((body if body is not None else self.tree).text_content().split())

    @property
    def h1(self):
        return " ".join(self.tree.xpath("//h1")[0].text_content().split())

    @property
    def title(self):
        return " ".join(self.tree.findtext(".//title").split())

    def select(self, css):
        return self.tree.cssselect(css)

    def one(self, css):
        found = self.select(css)
        assert len(found) == 1, f"expected one {css!r}, found {len(found)}"
        return found[0]

    def words(self, css):
        """The text of each element matching ``css``, spaces collapsed."""
        return [" ".join(e.text_content().split()) for e in self.select(css)]

    def errors(self):
        """The messages in the error summary."""
        return self.words(".govuk-error-summary__list li")

    @property
    def location(self):
        return self.headers.get("Location")


def check_page(page, app):
    """The rules every HTML page of eha keeps."""
    if page.tree is None or "text/html" not in page.headers.get("Content-Type", ""):
        return
    headings = page.tree.xpath("//h1")
    assert len(headings) == 1, f"a page has one <h1>; found {len(headings)}"
    title = page.title
    h1 = page.h1
    assert title.removeprefix("Error: ").removeprefix("Gwall: ").startswith(h1), (
        f"<title> {title!r} does not start with the <h1> {h1!r}"
    )
    ids = [e.get("id") for e in page.tree.xpath("//*[@id]")]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"ids used more than once: {repeated}"
    adapter = app.url_map.bind("localhost")
    for form in page.tree.xpath("//form"):
        action = form.get("action")
        if action is None or action == "":
            continue
        path = urlsplit(action).path
        method = (form.get("method") or "get").upper()
        try:
            adapter.match(path, method=method)
        except MethodNotAllowed as exc:
            raise AssertionError(f"form posts {method} to {path}, which does not accept it") from exc
        except NotFound as exc:
            raise AssertionError(f"form action {path} is not a route of this app") from exc


class ClientRequest:
    def __init__(self, client):
        self.client = client

    def _check(self, response, expected_status):
        page = Page(response)
        assert response.status_code == expected_status, f"expected {expected_status}, got {response.status_code}" + (
            f" (to {page.location})" if page.location else ""
        )
        if expected_status < 300 or expected_status >= 400:
            check_page(page, self.client.application)
        return page

    def get(self, url, expected_status=200, **kwargs):
        return self._check(self.client.get(url, **kwargs), expected_status)

    def post(self, url, data=None, expected_status=302, **kwargs):
        return self._check(self.client.post(url, data=data or {}, **kwargs), expected_status)
