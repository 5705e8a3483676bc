"""The interface's languages (issue 18): English and Welsh, through Flask-Babel.

A user chooses a language with the footer's links, or with ``?lang=cy`` on any page. The choice is kept in the
session and, for a signed-in user, in ``users.language``, so it follows them to the next sign-in and to the emails
eha sends them. Without a choice the browser's ``Accept-Language`` decides, and English is the default.

The catalogues are ``eha/translations/<code>/LC_MESSAGES/messages.po`` (the ``plan`` domain beside them is the
printed plan's, eha.pdf.i18n). ``make translations`` compiles them; so does ``ensure_compiled`` when the app starts
and a ``.mo`` is missing or older than its ``.po``, so a fresh checkout never shows English by accident.
"""

import logging
import os
import tempfile
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_app_context, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, get_locale, get_translations, gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

log = logging.getLogger(__name__)

# code -> the language's name in itself (what the footer link says, GOV.UK style).
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
DEFAULT_LANGUAGE = "en"
TRANSLATIONS_DIR = os.path.join(os.path.dirname(__file__), "translations")

babel = Babel()


def N_(text):
    """Mark ``text`` for the catalogue without translating it here: for words that are stored or exported in
    English (a state's label, a due label) and translated only where a page shows them."""
    return text


def translated(text):
    """A stored English label in the page's language (``text`` marked with ``N_`` where it is defined). Through
    the request's translations looked up once (``_page_translations``): a list's rows call this for each row."""
    if not text:
        return text
    return _page_translations().ugettext(text) if has_app_context() else gettext(text)


def lazy_choices(labels):
    """``(value, label)`` pairs of a dict of stored English labels (marked with ``N_``), each label shown in the
    page's language: for a form's choices, built at import time."""
    return [(value, lazy_gettext(label)) for value, label in labels.items()]


def chosen_language():
    """The code asked for with ``?lang=``, or None when none (or one eha does not have) was asked for."""
    code = request.args.get("lang", "").strip().lower()
    return code if code in LANGUAGES else None


# The API's pages for people (its reference) follow the interface's language; everything else under /api/ is data.
API_PAGES_FOR_PEOPLE = ("api_reference.docs",)


def _is_api_data(req):
    return req.path.startswith("/api/") and req.endpoint not in API_PAGES_FOR_PEOPLE


def select_locale():
    if not has_request_context():  # a CLI command, a background job: English unless force_locale says otherwise
        return DEFAULT_LANGUAGE
    if _is_api_data(request):  # the API's JSON and CSV are data formats: English whoever asks
        return DEFAULT_LANGUAGE
    asked = chosen_language()
    if asked:
        return asked
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)


def either(names, otherwise=None):
    """ "A or B" in the language the text is shown in (lazy: a refusal's message is shown in the page's language
    and kept in the audit trail in English); ``otherwise`` (default "the early help hub") when there are none."""
    names = list(names)

    def text():
        if names:
            return gettext(" or ").join(names)
        return str(otherwise if otherwise is not None else lazy_gettext("the early help hub"))

    return LazyString(text)


def in_english(text):
    """``text`` (a lazy message, or a plain string) as English, for what is stored: the audit trail stays English."""
    if isinstance(text, LazyString):
        from flask_babel import force_locale

        with force_locale(DEFAULT_LANGUAGE):
            return str(text)
    return text


def current_language():
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _forget_last_requests_locale():
    """Flask-Babel keeps the locale on ``g``; a request inside an app context that is already pushed (the tests',
    a CLI command's) shares that ``g``, so each request chooses afresh."""
    g.pop("_flask_babel", None)


def remember_choice():
    """``?lang=`` on any page is remembered: in the session, and on the signed-in user's account."""
    code = chosen_language()
    if code is None or request.path.startswith("/api/"):
        return
    if session.get("lang") != code:
        session["lang"] = code
    if current_user.is_authenticated and current_user.language != code:
        from eha.extensions import db

        current_user.language = code
        db.session.commit()


def language_links():
    """The footer's links to this page in each other language: ``[{"code", "name", "href"}]``."""
    here = current_language()
    links = []
    for code, name in LANGUAGES.items():
        if code == here:
            continue
        args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
        args.append(("lang", code))
        links.append({"code": code, "name": name, "href": f"{request.path}?{urlencode(args)}"})
    return links


def html_lang():
    return "cy" if current_language() == "cy" else "en-GB"


def ensure_compiled(directory=TRANSLATIONS_DIR):
    """Compile each ``.po`` whose ``.mo`` is missing or older. Written to a temporary file and renamed, so two
    workers starting at once never read half a catalogue. A read-only install is left alone (logged)."""
    if not os.path.isdir(directory):
        return
    for root, _dirs, files in os.walk(directory):
        for name in files:
            if name.endswith(".po"):
                _compile_if_stale(os.path.join(root, name))


def _compile_if_stale(po_path):
    mo_path = po_path[:-3] + ".mo"
    try:
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            return
        with open(po_path, "rb") as po_file:
            catalog = read_po(po_file)
        handle, temp_path = tempfile.mkstemp(dir=os.path.dirname(mo_path), suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(temp_path, mo_path)
    except OSError as exc:
        log.warning("could not compile %s: %s", po_path, exc)


def _escaped_lazy_html(self):
    return escape(str(self))


def _translations_are_text(app):
    """A translation is text, not HTML: ``{{ _("the family's details") }}`` prints ``family&#39;s`` as a plain
    string did, and a catalogue cannot put markup in a page. Jinja's newstyle gettext trusts the catalogue
    (``Markup(translation) % variables``), and Flask-Babel's lazy strings print unescaped through ``__html__``
    (a refusal quoting an agency's name would not be escaped). Variables are still escaped, so a link built in the
    template (``{% set link %}<a ...>{% endset %}``) can be passed in as one."""
    LazyString.__html__ = _escaped_lazy_html
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: escape(_page_translations().ugettext(s)),
        ngettext=lambda s, p, n: escape(_page_translations().ungettext(s, p, n)),
        newstyle=True,
        pgettext=lambda c, s: escape(_page_translations().upgettext(c, s)),
        npgettext=lambda c, s, p, n: escape(_page_translations().unpgettext(c, s, p, n)),
    )


def _page_translations():
    """Flask-Babel's ``get_translations()``, looked up once per request and locale: a page calls ``_()`` a
    hundred times, and each lookup walks the request's Babel state three times (a quarter of the plan page's
    rendering, issue 14). Kept beside the locale it was found for, so ``force_locale`` (which sets another
    locale object) is obeyed inside its block and after it."""
    state = g.get("_flask_babel")
    if state is not None:
        memo = getattr(state, "eha_translations", None)
        locale = getattr(state, "babel_locale", None)
        if memo is not None and locale is not None and memo[0] is locale:
            return memo[1]
    translations = get_translations()
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None) if state is not None else None
    if locale is not None:
        state.eha_translations = (locale, translations)
    return translations


class _JSONProvider(DefaultJSONProvider):
    """A lazy message (a refusal's reason in the API's JSON) is written as its text, not as escaped HTML."""

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS_DIR)
    ensure_compiled()
    if type(app.json) is DefaultJSONProvider:
        app.json = _JSONProvider(app)
    babel.init_app(app, locale_selector=select_locale)
    _translations_are_text(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_last_requests_locale)
    app.before_request(remember_choice)
    app.jinja_env.globals.update(language_links=language_links, html_lang=html_lang, current_language=current_language)
    app.jinja_env.filters["translated"] = translated
