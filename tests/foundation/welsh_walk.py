"""Walk every page a user can reach in Welsh and list the interface's English left on it (issue 18).

``english_left(client, app, values)`` fetches every GET route in ``app.url_map`` whose arguments it can fill from
``values`` (a case's reference, a definition's id ...) with ``?lang=cy`` and reports each piece of text that is
exactly one of the catalogue's English messages shown untranslated: a text node, or a button's, image's or
field's words. Only the catalogue's own messages count: names, the council's words, the definitions' questions
and case data are not in it, and a message whose Welsh is the same as its English (``TAF``, ``CSV``) is allowed.
The document's own prose marked ``lang="en"`` (the OpenAPI summaries) is English on purpose and skipped.

Run it by hand to see what is left (``pytest tests/foundation/test_welsh_walk.py -s`` prints the walk).
"""

import re
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from lxml import html

CATALOGUE = Path(__file__).resolve().parents[2] / "eha" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
# Not pages: downloads, the diagram's image, the API's data, what only signs out or moves on, the assets.
SKIP_ENDPOINTS = re.compile(r"(^static$|^assets$|\.(csv|xlsx|pdf|svg|json|zip)$|csv$|xlsx$|pdf$|svg$|_json$)")
SKIP_PATHS = re.compile(r"^/(api/(?!v1/docs)|static/|assets/|sign-out|auth/sso/|healthz|metrics|_)")
TEXT_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")


def _words(text):
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _messages():
    """``(exact English messages, [(pattern, message)] for those with placeholders)`` whose Welsh differs."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="cy")
    exact, patterns = set(), []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if not english or english in strings:
                continue
            literal = PLACEHOLDER.sub(" ", english)
            if not re.search(r"[A-Za-z]{2}", literal):
                continue
            if PLACEHOLDER.search(english):
                # Only sentences: enough of their own words that a name or a number cannot make one by chance.
                if len(re.findall(r"[A-Za-z]{2,}", literal)) >= 3:
                    parts = PLACEHOLDER.split(english)
                    regex = "".join(re.escape(p) if i % 2 == 0 else ".+?" for i, p in enumerate(parts) if p is not None)
                    patterns.append((re.compile(rf"^{regex}$"), english))
            else:
                exact.add(_words(english))
    return exact, patterns


def _texts(document):
    """The page's words as a reader meets them: each text node, and the words in attributes read aloud."""
    for element in document.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "pre", "code"):
            continue
        if any(a.get("lang", "").startswith("en") for a in element.iterancestors()) or element.get("lang", "") == "en":
            continue
        for text in (element.text, element.tail if element.getparent() is not None else None):
            if text and text.strip():
                yield _words(text)
        for name in TEXT_ATTRIBUTES:
            if element.get(name):
                yield _words(element.get(name))
        if element.tag == "input" and element.get("type") in ("submit", "button") and element.get("value"):
            yield _words(element.get("value"))


def english_on(page_html):
    """The catalogue's English messages shown untranslated on one page."""
    exact, patterns = _messages()
    found = []
    for text in _texts(html.fromstring(page_html)):
        if text in exact:
            found.append(text)
        else:
            found.extend(english for pattern, english in patterns if pattern.match(text))
    return sorted(set(found))


def addresses(app, values):
    """Every GET address in the app whose arguments ``values`` fills: ``[(endpoint, path)]``, and the endpoints
    left out because an argument was missing."""
    out, missing = [], []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or SKIP_ENDPOINTS.search(rule.endpoint):
                continue
            if any(arg not in values for arg in rule.arguments):
                missing.append(rule.endpoint)
                continue
            path = url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})
            if not SKIP_PATHS.search(path):
                out.append((rule.endpoint, path))
    return out, missing


def english_left(client, app, values, only=None):
    """``({path: [English messages]}, pages read)`` for every page ``client`` (signed in as someone) reaches in
    Welsh (those whose address starts with ``only``, when given)."""
    left, read = {}, 0
    for _endpoint, path in addresses(app, values)[0]:
        if only and not path.startswith(only):
            continue
        response = client.get(path, query_string={"lang": "cy"})
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        read += 1
        found = english_on(response.get_data(as_text=True))
        if found:
            left[path] = found
    return left, read
