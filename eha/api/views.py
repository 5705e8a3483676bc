"""The API's endpoints. Each reads its input (checked by its schema), calls one service and returns what it
gives; access is the pages' (``eha.access.load_case``: 404 for a case the token's user may not see)."""

import base64
import binascii

from flask import Response, g, jsonify, request, stream_with_context
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.error_handler import ErrorSchema

from eha.access import MANAGERS, load_case
from eha.api import auth, errors, schemas
from eha.errors import Invalid
from eha.extensions import limiter
from eha.services import api_cases, api_credentials, api_reports, webhooks

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="The eha JSON API")
bp.before_request(auth.authenticate)
bp.after_request(auth.record_call)
limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(bp)
errors.register(bp)

ERRORS = {"description": "The reason, as code, status and message."}


def _errors(*codes):
    def decorator(view):
        for code in codes:
            view = bp.alt_response(code, description=ERRORS["description"], schema=ErrorSchema)(view)
        return view

    return decorator


@bp.route("/me")
@bp.response(200, schemas.Me)
@_errors(401, 429)
def me():
    """Who the token acts for, and what it may do."""
    token = auth.current_token()
    return {
        "name": current_user.name,
        "role": current_user.role,
        "agency": current_user.agency.name,
        "scopes": token.scope_list,
        "token_expires_at": token.expires_at,
    }


@bp.route("/cases")
@auth.needs_scope("read")
@bp.arguments(schemas.CasesQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.CasePage)
@_errors(400, 401, 403, 429)
def my_cases(limit, cursor=None):
    """My open cases (those I started, lead or am in the Team Around the Family for), by cursor."""
    try:
        items, following = api_cases.my_cases(current_user, cursor=cursor, limit=limit)
    except api_cases.BadCursor:
        abort(400, message="That cursor was not given by this API: start again without one.")
    return {"items": items, "next_cursor": following}


@bp.route("/cases/<caseref:ref>")
@auth.needs_scope("read")
@bp.response(200, schemas.CaseSummary)
@_errors(401, 403, 404, 429)
def case_summary(ref):
    """A case's summary: its state, what is due, the team and the plan's actions."""
    case = load_case(ref, current_user)
    return api_cases.summary(case, current_user)


@bp.route("/cases/<caseref:ref>/actions/<key:key>/progress", methods=["POST"])
@auth.needs_scope("actions:update")
@bp.arguments(schemas.ProgressUpdate)
@bp.response(200, schemas.Action)
@_errors(401, 403, 404, 409, 429)
def action_progress(update, ref, key):
    """Record progress on an action you own. Send the action's ``version``: a stale one answers 409."""
    case = load_case(ref, current_user, audit_action=None)
    return api_cases.update_own_action(
        case, key, current_user, version=update["version"], progress=update["progress"], comment=update["comment"]
    )


@bp.route("/webhooks")
@auth.needs_scope("webhooks")
@bp.response(200, schemas.WebhookList)
@_errors(401, 403, 429)
def webhook_list():
    """Your subscriptions to case state changes."""
    return {"items": [_webhook(s) for s in webhooks.subscriptions(current_user)]}


@bp.route("/webhooks", methods=["POST"])
@auth.needs_scope("webhooks")
@bp.arguments(schemas.WebhookInput)
@bp.response(201, schemas.NewWebhook)
@_errors(400, 401, 403, 409, 429)
def webhook_create(data):
    """Subscribe an address to ``case.state_changed`` for the cases you may see. The secret is shown once. The
    subscription ends (pending deliveries dropped) when its client is revoked; an address you have subscribed
    already answers 409."""
    token = auth.current_token()
    try:
        subscription = webhooks.subscribe(current_user, data["url"], client_id=token.client_id)
    except Invalid as error:
        abort(400, message=error.message)
    return {**_webhook(subscription), "secret": subscription.secret}


@bp.route("/webhooks/<int(max=2147483647):webhook_id>", methods=["DELETE"])
@auth.needs_scope("webhooks")
@bp.response(204)
@_errors(401, 403, 404, 429)
def webhook_delete(webhook_id):
    """End one of your subscriptions."""
    webhooks.unsubscribe(current_user, webhook_id)
    return ""


# --- the managers' reports and the returns (the pages' /reports: managers only, 404 for anyone else) ---

NAME = "string(maxlength=60)"


def _csv(filename, chunks):
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _query_args(query):
    """The filters as the report pages read them (``from`` is ``from_`` in the schema)."""
    return {("from" if key == "from_" else key): value for key, value in query.items()}


@bp.route("/reports")
@auth.needs_scope("read")
@auth.needs(MANAGERS)
@bp.response(200, schemas.ReportIndex)
@_errors(401, 403, 404, 429)
def report_index():
    """The managers' reports and the statutory returns (for a manager's token; 404 for anyone else's)."""
    return api_reports.index()


@bp.route(f"/reports/<{NAME}:name>")
@auth.needs_scope("read")
@auth.needs(MANAGERS)
@bp.arguments(schemas.ReportQuery, location="query")
@bp.response(200, schemas.ReportOutline)
@_errors(400, 401, 403, 404, 429)
def report_outline(query, name):
    """A report's tables for the filters given (the rows are in each table's CSV)."""
    try:
        return api_reports.outline(name, _query_args(query), current_user)
    except KeyError:
        abort(404, message="There is no such report.")


@bp.route(f"/reports/<{NAME}:name>/<{NAME}:key>.csv")
@auth.needs_scope("read")
@auth.needs(MANAGERS)
@bp.arguments(schemas.ReportQuery, location="query")
@bp.response(200, schemas.CSV, content_type="text/csv", description="Every row of the table, as CSV.")
@_errors(400, 401, 403, 404, 429)
def report_table_csv(query, name, key):
    """One table of a report as CSV, every row: the export the report page offers, audited the same way."""
    try:
        filename, chunks = api_reports.report_csv(name, key, _query_args(query), current_user)
    except KeyError:
        abort(404, message="There is no such report or table.")
    return _csv(filename, chunks)


@bp.route(f"/returns/<{NAME}:name>.csv")
@auth.needs_scope("read")
@auth.needs(MANAGERS)
@bp.arguments(schemas.ReturnQuery, location="query")
@bp.response(200, schemas.CSV, content_type="text/csv", description="The return, as CSV.")
@_errors(400, 401, 403, 404, 429)
def return_csv(query, name):
    """A statutory return for a period (``from`` and ``to``; neither: the last financial year), as CSV."""
    try:
        filename, chunks = api_reports.return_csv(name, _query_args(query), current_user)
    except KeyError:
        abort(404, message="There is no such return.")
    return _csv(filename, chunks)


def _webhook(subscription):
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events.split(),
        "created_at": subscription.created_at,
    }


# --- OAuth 2 client credentials (RFC 6749 section 4.4) ---


def _oauth_error(status, error, description=None):
    body = {"error": error}
    if description:
        body["error_description"] = description
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="eha"'
    g.eha_api_recorded = status == 401  # the refusal is in the audit trail already
    return response


def _basic_credentials():
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


@bp.route("/oauth/token", methods=["POST"])
@bp.doc(security=[])
@bp.arguments(schemas.TokenRequest, location="form")
@bp.response(200, schemas.TokenResponse)
@bp.alt_response(400, schema=schemas.OAuthError, description="invalid_request, unsupported_grant_type, invalid_scope")
@bp.alt_response(401, schema=schemas.OAuthError, description="invalid_client")
@_errors(422, 429)
def oauth_token(form):
    """Exchange a client's id and secret (HTTP Basic or the form) for a bearer token lasting an hour."""
    if form["grant_type"] != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type")
    client_id, secret = _basic_credentials()
    client_id = client_id or form.get("client_id")
    secret = secret or form.get("client_secret")
    if not client_id or not secret:
        return _oauth_error(400, "invalid_request", "Send client_id and client_secret.")
    try:
        issued = api_credentials.issue_client_token(client_id, secret, form.get("scope"))
    except Invalid:
        return _oauth_error(400, "invalid_scope")
    if issued is None:
        return _oauth_error(401, "invalid_client")
    token, access_token = issued
    g.eha_api_token = token
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": api_credentials.CLIENT_TOKEN_SECONDS,
        "scope": token.scopes,
    }
