"""Where the coded answers the reports count live in the assessment (the needs, the children in need census
factors), and their labels: read from the shipped definitions, so no query and no hard-coded list."""

from functools import lru_cache

from eha.definitions import shipped_definitions

CIN_FACTORS_FIELD = "cin-factors"


@lru_cache(maxsize=1)
def _fields():
    needs, cin, labels = [], [], {}
    for definition in shipped_definitions():
        for section, spec in definition.iter_fields():
            if spec.type == "needs":
                needs.append((section.key, spec.key))
            elif spec.key == CIN_FACTORS_FIELD:
                cin.append((section.key, spec.key))
            else:
                continue
            for option in spec.options:
                labels.setdefault(option.value, option.label)
    return tuple(dict.fromkeys(needs)), tuple(dict.fromkeys(cin)), labels


def needs_fields():
    """``(section key, field key)`` of every Supporting Families needs question."""
    return _fields()[0]


def cin_fields():
    return _fields()[1]


def label(code):
    return _fields()[2].get(code, code)


def need_codes():
    """The Supporting Families headline need codes, in the definition's order."""
    codes = []
    for definition in shipped_definitions():
        for _section, spec in definition.iter_fields():
            if spec.type == "needs":
                codes.extend(v for v in spec.option_values if v not in codes)
    return codes
