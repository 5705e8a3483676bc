"""The plan's languages: gettext for its fixed text, dates in the family's language, the carer's language as a code.

``translator(locale)`` gives the ``gettext``/``ngettext`` of the ``plan`` domain for one of the supported codes,
read from ``eha/translations/<code>/LC_MESSAGES/plan.po`` (compiled in memory once per process and whenever the
file changes, so there is no .mo to keep in step). English is the source text, so it needs no catalogue; a code
that is not supported, or has no catalogue yet, gets English with ``translated`` false, and the plan says so.

Only our fixed text is translated: the family's own answers, names and the council's words print as written.

``language_code("polski")`` maps what a worker typed as a carer's preferred language (an English or native name,
or a code) to a supported code, so the plan prints in the family's language unless ``?lang`` says otherwise.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from eha.formatting import format_date, format_datetime

DOMAIN = "plan"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
ENGLISH = "en"
SUPPORTED = ("en", "cy", "pl", "ro", "ur", "ar", "bn")
RIGHT_TO_LEFT = frozenset({"ar", "ur"})

# code: (name in English, name in the language itself, BCP 47 tag for the PDF and the HTML lang attribute)
LANGUAGES = {
    "en": ("English", "English", "en-GB"),
    "cy": ("Welsh", "Cymraeg", "cy"),
    "pl": ("Polish", "Polski", "pl"),
    "ro": ("Romanian", "Română", "ro"),
    "ur": ("Urdu", "اردو", "ur"),
    "ar": ("Arabic", "العربية", "ar"),
    "bn": ("Bengali", "বাংলা", "bn"),
}

# What workers type as a preferred language, folded (see ``_fold``), beyond the names and codes above.
_ALIASES = {
    "british": "en",
    "english uk": "en",
    "saesneg": "en",
    "cymraeg": "cy",
    "welsh": "cy",
    "polski": "pl",
    "polskie": "pl",
    "romana": "ro",
    "limba romana": "ro",
    "moldovan": "ro",  # Moldovan is Romanian
    "urdu": "ur",
    "arabic": "ar",
    "arabi": "ar",
    "عربي": "ar",
    "bangla": "bn",
    "bengali": "bn",
    "sylheti": "bn",  # Sylheti speakers read standard Bengali: the nearest written edition
}


def N_(message: str) -> str:
    """Mark a module-level string for extraction; it is translated where it is printed."""
    return message


def _fold(text: str) -> str:
    """Case and accents folded, spaces collapsed: "  Română " -> "romana"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.replace("_", " ").replace("-", " ").split())


def _names() -> dict[str, str]:
    names = dict(_ALIASES)
    for code, (english, native, tag) in LANGUAGES.items():
        for name in (code, english, native, tag):
            names[_fold(name)] = code
    return names


_NAMES = _names()


def language_code(preferred: str | None) -> str | None:
    """The supported code for a preferred language as typed ("Polish", "polski", "pl-PL", "Urdu (Pakistan)"), or
    None when it is not one the plan is printed in. Only the first language named counts ("Polish, English")."""
    if not preferred or not isinstance(preferred, str):
        return None
    first = preferred.replace("/", ",").replace(";", ",").replace("(", ",").split(",")[0]
    folded = _fold(first)[:40]
    if folded in _NAMES:
        return _NAMES[folded]
    head = folded.split(" ")[0] if folded else ""
    return _NAMES.get(head)


def supported(code: object) -> str:
    """``code`` as a supported language code, English for anything else (never an error: it comes from a URL)."""
    if not isinstance(code, str):
        return ENGLISH
    folded = code.strip().replace("_", "-").lower()[:20]
    base = folded.split("-")[0]
    return base if base in SUPPORTED else ENGLISH


def catalogue_path(code: str, directory: Path | None = None) -> Path:
    return (directory or TRANSLATIONS_DIR) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Translator:
    """gettext and ngettext for one language, with what the renderers need to know about it.

    ``requested`` is the supported code asked for; ``locale`` the one whose text is printed (English when the
    requested one has no catalogue yet, then ``translated`` is False). Unpacks as ``gettext, ngettext``.
    """

    requested: str
    locale: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    translated: bool

    def __iter__(self):
        return iter((self.gettext, self.ngettext))

    @property
    def is_english(self) -> bool:
        return self.locale == ENGLISH

    @property
    def untranslated_request(self) -> bool:
        """A language was asked for that has no catalogue yet: the plan prints in English and says so."""
        return self.requested != ENGLISH and not self.translated

    @property
    def direction(self) -> str:
        return "rtl" if self.locale in RIGHT_TO_LEFT else "ltr"

    @property
    def tag(self) -> str:
        """BCP 47 tag of the printed language (PDF /Lang, HTML lang)."""
        return LANGUAGES[self.locale][2]

    @property
    def name(self) -> str:
        """The printed language's own name ("Polski")."""
        return LANGUAGES[self.locale][1]

    @property
    def requested_name(self) -> str:
        return LANGUAGES[self.requested][0]

    def date(self, value: date | None, empty: str = "") -> str:
        """A date the family reads: GOV.UK style in English ("5 March 2026"), CLDR's day month year otherwise."""
        if value is None:
            return empty
        if self.is_english:
            return format_date(value)
        return babel_format_date(value, "d MMMM y", locale=self.locale)

    def date_time(self, value: datetime) -> str:
        """ "5 March 2026 at 3:30pm" in English; day month year and a 24-hour time otherwise."""
        if self.is_english:
            return format_datetime(value)
        return babel_format_datetime(value, "d MMMM y, HH:mm", locale=self.locale)


_cache: dict[tuple[str, Path], tuple[float, NullTranslations]] = {}
_cache_lock = threading.Lock()


def _load(path: Path, locale: str) -> NullTranslations | None:
    """The catalogue at ``path`` as Translations (fuzzy entries left out), or None when there is none."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = (locale, path)
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] == mtime:
            return cached[1]
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    translations = Translations(fp=buffer, domain=DOMAIN)
    with _cache_lock:
        _cache[key] = (mtime, translations)
    return translations


def translator(locale: object = ENGLISH, *, directory: Path | None = None) -> Translator:
    """The ``plan`` domain's translator for ``locale`` (any string: unknown codes give English)."""
    requested = supported(locale)
    if requested == ENGLISH:
        null = NullTranslations()
        return Translator(ENGLISH, ENGLISH, null.gettext, null.ngettext, True)
    try:
        translations = _load(catalogue_path(requested, directory), requested)
    except Exception:  # a broken catalogue must not stop a family getting its plan: English, marked untranslated
        translations = None
    if translations is None:
        null = NullTranslations()
        return Translator(requested, ENGLISH, null.gettext, null.ngettext, False)
    return Translator(requested, requested, translations.gettext, translations.ngettext, True)


def plan_language(carers) -> str:
    """The code a plan prints in without ``?lang``: the first carer's preferred language if supported, else English.
    ``carers``: objects with ``preferred_language`` in the family's order."""
    for carer in carers:
        code = language_code(getattr(carer, "preferred_language", None))
        return code or ENGLISH
    return ENGLISH


def needs_interpreter(carers) -> bool:
    return any(getattr(carer, "interpreter_needed", False) for carer in carers)
