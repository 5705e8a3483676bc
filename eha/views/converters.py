"""URL converters: a case reference or a key that does not look like one is a 404 from the router itself, so no
view checks lengths, NUL bytes or control characters by hand."""

from werkzeug.routing import BaseConverter


class CaseRefConverter(BaseConverter):
    """``EHA-000123``: capital letters, a hyphen, digits (the prefix is a setting, the shape is not)."""

    regex = r"[A-Z]{1,10}-[0-9]{1,12}"


class KeyConverter(BaseConverter):
    """A section key, an action's key (a UUID) or a trigger name: letters, digits, ``_`` and ``-``."""

    regex = r"[A-Za-z0-9_-]{1,64}"


CONVERTERS = {"caseref": CaseRefConverter, "key": KeyConverter}
