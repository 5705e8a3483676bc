"""Browser tests: Playwright driving Debian's Chromium against eha served on a free local port.

Every test here is marked ``browser`` and skipped, with the reason, when no Chromium is found at
``$CHROMIUM_PATH`` or ``/usr/bin/chromium`` (``playwright install`` cannot download browsers in CI).

The live server always uses its own temporary SQLite file, even when ``TEST_DATABASE_URL`` points at
PostgreSQL: the rest of the suite truncates that database between tests, and a server thread sharing
it would see its data vanish mid-journey. CSRF protection is ON, as in production.

``make test`` runs them in two xdist workers (``-n 2 --dist loadfile``): each worker has its own live
server, SQLite file and Chromium, and each file's tests stay together on one worker, in file order
(journeys 2, 3 and 4, which carry one case on, are kept together too: ``tests/conftest.py``).

Every page a journey checks (``check_page``) is run through axe-core with the WCAG 2.2 A/AA tags, must
have exactly one ``<h1>``, must not scroll sideways at 320 CSS px (400% zoom), and is saved as a
screenshot under ``test-artifacts/screenshots/``. Any console error (Chromium logs CSP violations
there) or uncaught page error fails the test.
"""

import logging
import os
import re
import socket
import threading
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
ROOT = BROWSER_DIR.parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEFAULT_VIEWPORT = {"width": 1024, "height": 800}
NARROW_VIEWPORT = {"width": 320, "height": 800}
# How long an action waits for the page before failing: two workers share the machine with their servers and
# Chromiums (and a CI machine with other jobs); a first POST on a cold server under load took over 10 s.
TIMEOUT_MS = 30_000

STATS = {"journeys": 0, "passed": 0, "pages": 0, "urls": set(), "axe_violations": 0, "seconds": 0.0}


def chromium_path():
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _in_browser_dir(item):
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test here ``browser`` before ``-m`` selects, and skip them all without a Chromium."""
    skip = None
    if chromium_path() is None:
        skip = pytest.mark.skip(
            reason="browser tests need Chromium at $CHROMIUM_PATH or /usr/bin/chromium (apt-get install -y chromium)"
        )
    for item in items:
        if _in_browser_dir(item):
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


class _FileOrder:
    """pytest-playwright parametrizes tests that reach its fixtures ("[chromium]") and pytest then groups
    them by that parameter, which reordered the journeys; journeys 3 and 4 carry on with journey 2's case,
    so browser tests run in file order, then in the order they are written."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        browser_items = [item for item in items if _in_browser_dir(item)]
        if browser_items:
            first = items.index(browser_items[0])
            others = [item for item in items if not _in_browser_dir(item)]
            browser_items.sort(key=lambda item: (str(item.path), item.location[1] or 0))
            items[:] = others[:first] + browser_items + others[first:]


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("eha-browser-file-order"):
        config.pluginmanager.register(_FileOrder(), "eha-browser-file-order")


# The three report hooks below are called from tests/conftest.py, not registered here: under xdist the controller
# collects nothing, so it never loads this file, and the summary would say nothing (tests/conftest.py it always loads).
def count_report(report):
    if not _report_in_browser_dir(report):
        return
    STATS["seconds"] += report.duration  # setup too: the live server, and cases journeys build first
    if report.when == "call":
        STATS["journeys"] += 1
        STATS["passed"] += bool(report.passed)


def _report_in_browser_dir(report):
    return (
        report.nodeid.replace("\\", "/").startswith(str(BROWSER_DIR.relative_to(ROOT)).replace("\\", "/") + "/")
        or "tests/browser/" in report.nodeid
    )


_SHARED_STATS = ("pages", "axe_violations", "keyboard_presses")


def pytest_sessionfinish(session):
    """An xdist worker hands its counts (made in ``check_page``, not in reports) to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["eha_browser_stats"] = {
            **{key: STATS.get(key, 0) for key in _SHARED_STATS},
            "urls": sorted(STATS["urls"]),
        }


def add_worker_counts(node):
    """The controller adds up its workers' counts for the summary."""
    stats = getattr(node, "workeroutput", {}).get("eha_browser_stats")
    if stats:
        for key in _SHARED_STATS:
            STATS[key] = STATS.get(key, 0) + stats[key]
        STATS["urls"].update(stats["urls"])


def write_summary(terminalreporter):
    if not STATS["journeys"]:
        return
    terminalreporter.section("browser journeys")
    terminalreporter.write_line(
        f"journeys run: {STATS['journeys']} ({STATS['passed']} passed); "
        f"pages checked: {STATS['pages']}; distinct addresses visited: {len(STATS['urls'])}; "
        f"axe violations: {STATS['axe_violations']}; browser time: {STATS['seconds']:.1f}s"
    )
    if STATS.get("keyboard_presses"):
        terminalreporter.write_line(
            f"keyboard-only journey: {STATS['keyboard_presses']} key presses, a visible focus indicator on each"
        )


# --- the live server ------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    from flask_migrate import upgrade

    from eha import create_app
    from eha.definitions.store import ensure_shipped_definitions
    from eha.demo import ensure_agencies, ensure_users
    from eha.extensions import db

    # Always a throwaway SQLite file, never TEST_DATABASE_URL (see the module docstring).
    path = tmp_path_factory.mktemp("browser-db") / "eha.sqlite3"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        WTF_CSRF_ENABLED=True,
        # One address signs in for every journey; lockout per account still applies.
        EHA_SIGN_IN_RATE_LIMIT="1000 per minute",
        EHA_MAIL_DIR=str(tmp_path_factory.mktemp("browser-mail")),
    )
    with app.app_context():
        upgrade()
        # The demo's agencies, accounts and form definitions (what ``load_demo`` starts with), but
        # not its cases: every journey builds its own through the UI, so none depends on demo data.
        ensure_users(ensure_agencies())
        ensure_shipped_definitions()
        db.session.commit()
        from tests.browser import seed

        seed.seed_extra(app)
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the report

    port = _free_port()
    server = make_server("127.0.0.1", port, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="eha-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    """pytest-playwright's name for the address pages are opened relative to."""
    return live_server


@pytest.fixture(scope="session")
def demo_password(live_app):
    return live_app.config["EHA_DEMO_PASSWORD"]


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleWatch:
    """Console errors, CSP violations and uncaught errors from every page of a context."""

    def __init__(self):
        self.problems = []
        self.allowed = []

    def allow(self, pattern):
        """Expect a console error matching ``pattern`` (e.g. the 404 a journey asks for)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error on {message.location.get('url', '?')}: {message.text}")

    def on_page_error(self, error):
        self.problems.append(f"uncaught error: {error}")

    def unexpected(self):
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]


class Browsing:
    """Opens browser contexts for one test and checks each for console errors when the test ends."""

    def __init__(self, chromium, base_url):
        self.chromium = chromium
        self.base_url = base_url
        self.contexts = []
        self.watch = ConsoleWatch()

    def new_page(self, **context_options):
        options = {
            "base_url": self.base_url,
            "viewport": dict(DEFAULT_VIEWPORT),
            "locale": "en-GB",
            "accept_downloads": True,
        }
        options.update(context_options)
        context = self.chromium.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", self.watch.on_console)
        context.on("weberror", lambda web_error: self.watch.on_page_error(web_error.error))
        self.contexts.append(context)
        page = context.new_page()
        page.eha_javascript = options.get("java_script_enabled", True)
        page.eha_browsing = self
        self._watch_page(page)
        return page

    def mirror(self):
        """A JavaScript-enabled page for running axe over a page served without JavaScript."""
        if getattr(self, "_mirror", None) is None:
            context = self.chromium.new_context(viewport=dict(DEFAULT_VIEWPORT), locale="en-GB")
            context.set_default_timeout(TIMEOUT_MS)
            context.route(re.compile(r".*\.m?js(\?.*)?$"), lambda route: route.abort())
            self.contexts.append(context)
            self._mirror = context.new_page()
        return self._mirror

    def _watch_page(self, page):
        page.on("framenavigated", lambda frame: frame == page.main_frame and STATS["urls"].add(frame.url.split("?")[0]))

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium, live_server):
    session = Browsing(chromium, live_server)
    yield session
    problems = session.watch.unexpected()
    session.close()
    assert not problems, "console errors or CSP violations:\n" + "\n".join(problems)


@pytest.fixture
def page(browsing):
    """A fresh context and page; the test fails on any console error or CSP violation."""
    return browsing.new_page()


@pytest.fixture
def console(browsing):
    return browsing.watch


# --- checks every page gets -----------------------------------------------------------------------

_axe = None


def _format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    at {', '.join(map(str, node.get('target', [])))}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


_WIDE_ELEMENTS = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    const wide = r.right > window.innerWidth + 1 || (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 1
      && getComputedStyle(el).overflowX === "visible");
    if (wide) {
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (${Math.round(r.right)}px, `
               + `content ${el.scrollWidth}px)`);
    }
  }
  return out.slice(-8);
}"""


def _mirror_without_javascript(page):
    """axe needs JavaScript (its promises never settle without it), so it checks a copy of the page.

    The copy is the DOM exactly as served to a browser without JavaScript, scripts removed, loaded at
    the same address (so the same stylesheets apply) in a JavaScript-enabled page.
    """
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S | re.I)
    mirror = page.eha_browsing.mirror()
    url = page.url
    mirror.unroute_all()
    mirror.route(url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
    mirror.goto(url)
    return mirror


def check_page(page, name, *, screenshot=True):
    """axe (WCAG 2.2 A/AA), one h1, no sideways scrolling at 320 px, a screenshot for the artifacts."""
    global _axe
    from axe_playwright_python.sync_playwright import Axe

    _axe = _axe or Axe()
    STATS["pages"] += 1
    STATS["urls"].add(page.url.split("?")[0])
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    if getattr(page, "eha_javascript", True):
        results = _axe.run(page, options=options)
    else:
        results = _axe.run(_mirror_without_javascript(page), options=options)
    violations = results.response.get("violations", [])
    STATS["axe_violations"] += len(violations)
    assert not violations, f"axe found problems on {name} ({page.url}):\n{_format_violations(violations)}"

    h1_count = page.locator("h1").count()
    assert h1_count == 1, f"{name} has {h1_count} <h1> elements, not 1"
    h1 = page.locator("h1").inner_text().strip()
    title = page.title()
    assert title.removeprefix("Error: ").removeprefix("Gwall: ").startswith(h1.split("\n")[-1].strip()[:20]), (
        f"{name}: the title {title!r} does not start with the h1 {h1!r}"
    )

    unnamed = page.evaluate("""() => [...document.querySelectorAll("fieldset")]
        .filter((f) => !(f.querySelector(":scope > legend")?.textContent.trim()))
        .map((f) => f.querySelector("input")?.name || "?")""")
    assert not unnamed, f"{name}: question groups with no legend (the question is missing): {unnamed}"

    viewport = page.viewport_size
    page.set_viewport_size(NARROW_VIEWPORT)
    try:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > NARROW_VIEWPORT["width"]:
            culprits = page.evaluate(_WIDE_ELEMENTS)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-320-too-wide.png"), full_page=True)
            raise AssertionError(
                f"{name} scrolls sideways at 320 CSS px: the page is {widths[0]} px wide; too wide: {culprits}"
            )
    finally:
        page.set_viewport_size(viewport)

    if screenshot:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return page


@pytest.fixture
def plan_case(browsing, demo_password):
    """``(ref, family)`` of a case with an active plan: journey 2's when it has run, else built the same way."""
    from tests.browser.helpers import SCHOOL_PRACTITIONER, sign_in
    from tests.browser.steps import Family
    from tests.browser.test_journey_2_plan import SHARED, plan_journey

    if "plan_case" not in SHARED:
        family = Family("Brennan", child_first="Aoife", carer="Siobhan")
        page = browsing.new_page()
        sign_in(page, SCHOOL_PRACTITIONER, demo_password)
        SHARED["plan_case"] = (plan_journey(page, family), family)
        page.context.close()
        browsing.contexts.remove(page.context)
    return SHARED["plan_case"]
