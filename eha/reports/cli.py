"""``flask returns NAME --from YYYY-MM-DD --to YYYY-MM-DD [--output FILE]``: a return as CSV (one header row),
to standard output or a file. An operator's command: every case counts, and the export is audited."""

import sys
from datetime import date

import click
from flask.cli import AppGroup

from eha.reports import returns

returns_cli = AppGroup(
    "returns", help="The data returns: SSD early help episodes, Annex A early help, Supporting Families."
)


def _day(value, name):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"Enter the date as YYYY-MM-DD, not {value!r}", param_hint=name) from None


def _run(name, date_from, date_to, output):
    from eha import audit
    from eha.reports.export import write_csv
    from eha.transaction import committing

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if end < start:
        raise click.BadParameter("--to must be the same as or after --from", param_hint="--to")
    table = returns.table(name, start, end)
    with committing():
        audit.record(
            "export",
            detail={"export": f"return:{name}", "format": "csv", "from": start.isoformat(), "to": end.isoformat()},
        )
    if output:
        with open(output, "w", encoding="utf-8", newline="") as stream:
            rows = write_csv(table, stream)
        click.echo(f"{rows} rows written to {output}", err=True)
    else:
        write_csv(table, sys.stdout)


def _command(name, title):
    @click.option("--from", "date_from", required=True, help="The first day of the period, YYYY-MM-DD.")
    @click.option("--to", "date_to", required=True, help="The last day of the period, YYYY-MM-DD.")
    @click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
    def command(date_from, date_to, output):
        _run(name, date_from, date_to, output)

    command.__doc__ = f"{title}, as CSV."
    returns_cli.command(name)(command)


for _name, (_title, _builder) in returns.RETURNS.items():
    _command(_name, _title)
