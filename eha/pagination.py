"""Paging lists: the one page parser (bounded, so no address can ask for page 10**20) and the one paginator."""

from flask import current_app, request

from eha.extensions import db

MAX_PAGE = 100_000


def page_number(name="page"):
    """``?page=N`` as an int from 1 to ``MAX_PAGE``; anything else (letters, ``-3``, 20 digits) is page 1 or the
    last allowed page, never an error."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(raw), 1), MAX_PAGE)


def paginate(select, per_page=None):
    """A Flask-SQLAlchemy page of ``select`` at ``?page=``; past the last page it is empty, not a 404."""
    per_page = per_page or current_app.config["EHA_PAGE_SIZE"]
    return db.paginate(
        select, page=page_number(), per_page=per_page, max_per_page=per_page, error_out=False, count=True
    )
