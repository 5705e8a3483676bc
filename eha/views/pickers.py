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


# Each search is recorded as a look at the case, like any other case address: the owner search answers with the
# family's own names. The detail says which picker, never what was typed.
@case_route(
    bp, "/grant", audit_detail={"page": "people-search", "picker": "grant"}, need=MANAGER_ONLY, refused="grant_created"
)
def grant(case):
    return _answer("grant", case)


@case_route(
    bp, "/lead", audit_detail={"page": "people-search", "picker": "lead"}, need=CHANGE_LEAD, refused="lead_changed"
)
def lead(case):
    return _answer("lead", case)


@case_route(
    bp, "/invite", audit_detail={"page": "people-search", "picker": "invite"}, need=MANAGE, refused="meeting_scheduled"
)
def invite(case):
    return _answer("invite", case)


@case_route(
    bp, "/owner", audit_detail={"page": "people-search", "picker": "owner"}, need=PLANNER, refused="plan_changed"
)
def owner(case):
    return _answer("owner", case)
