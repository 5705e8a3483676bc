"""The JSON search behind each person picker (``eha.services.pickers``), for accessible-autocomplete.

``GET /assessments/<ref>/people-search/<picker>?q=smi`` answers ``{"results": [{"value", "label"}], "more"}``:
at most 20 of the people that picker may offer on that case, to a user who may use that picker's page (the
same need as the page; otherwise the page's refusal: 404 for a case the user cannot see, 403 for one they
cannot change). The pages work without it: their own Search button asks the same pool.
"""

from flask import Blueprint, jsonify, request

from eha.access import MANAGE, MANAGER_ONLY, case_route
from eha.services import pickers
from eha.views.lead import CHANGE_LEAD
from eha.views.plans import PLANNER

bp = Blueprint("pickers", __name__, url_prefix="/assessments/<caseref:ref>/people-search")


def _answer(kind, case):
    response = jsonify(pickers.search_for(kind, case, request.args.get("q", "")))
    response.headers["Cache-Control"] = "no-store"
    return response


# The searches are not recorded as looks at the case: they return only who may be chosen, on a page whose
# opening was recorded.
@case_route(bp, "/grant", need=MANAGER_ONLY, audit=None, refused="grant_created")
def grant(case):
    return _answer("grant", case)


@case_route(bp, "/lead", need=CHANGE_LEAD, audit=None, refused="lead_changed")
def lead(case):
    return _answer("lead", case)


@case_route(bp, "/invite", need=MANAGE, audit=None, refused="meeting_scheduled")
def invite(case):
    return _answer("invite", case)


@case_route(bp, "/owner", need=PLANNER, audit=None, refused="plan_changed")
def owner(case):
    return _answer("owner", case)
