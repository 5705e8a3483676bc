"""The managers' reports and the statutory returns through the API: what there is, one report's outline, and
the CSV exports. The computations are ``eha.reports`` (through ``eha.services.reports``, which also audits each
export exactly as the pages do); this module only says what exists and where."""

from eha.errors import Invalid
from eha.reports import catalogue, returns
from eha.reports.filters import parse_filters
from eha.services import reports as report_service

API_PREFIX = "/api/v1"


def _report_csv(name, key):
    return f"{API_PREFIX}/reports/{name}/{key}.csv"


def index():
    """The reports and the returns there are (no query: names and titles only)."""
    return {
        "reports": [
            {"name": name, "title": catalogue.TITLES.get(name, name), "url": f"{API_PREFIX}/reports/{name}"}
            for name in catalogue.REPORTS
        ],
        "returns": [
            {"name": name, "title": title, "csv": f"{API_PREFIX}/returns/{name}.csv"}
            for name, (title, _build) in returns.RETURNS.items()
        ],
    }


def outline(name, args, user, today=None):
    """Report ``name`` for the filters in ``args``, as ``user`` may see it: its title, period and tables (their
    keys, titles, columns and CSV addresses; the rows are in the CSV). KeyError if there is no such report;
    ``Invalid`` for filters that are not offered."""
    if name not in catalogue.REPORTS:
        raise KeyError(name)
    chosen, errors = parse_filters(args, today)
    if errors:
        raise Invalid(errors[0][1], field=errors[0][0])
    report = catalogue.build(name, chosen, user, today)
    return {
        "name": name,
        "title": report.title,
        "description": report.description,
        "period": chosen.period,
        "from": chosen.date_from,
        "to": chosen.date_to,
        "tables": [
            {"key": table.key, "title": table.caption, "columns": table.headers, "csv": _report_csv(name, table.key)}
            for table in report.tables
        ],
    }


def report_csv(name, key, args, user):
    """``(file name, CSV chunks)``: ``eha.services.reports.export_report`` (audited as an ``export``)."""
    return report_service.export_report(name, key, args, user)


def return_csv(name, args, user):
    """``(file name, CSV chunks)``: ``eha.services.reports.export_return`` (audited as an ``export``)."""
    return report_service.export_return(name, args, user)
