"""What the API takes and gives, as marshmallow schemas: the OpenAPI document is generated from these."""

from datetime import UTC

import marshmallow as ma
from marshmallow import fields, validate

from eha.models.choices import ACTION_PROGRESS, API_SCOPES, WEBHOOK_EVENTS

PAGE_MAX = 100


class UtcDateTime(fields.DateTime):
    """eha keeps naive UTC times; the API writes them as RFC 3339 with their offset, as OpenAPI's date-time is."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class CasesQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    cursor = fields.String(
        validate=validate.Length(max=40), metadata={"description": "The next_cursor of the page before."}
    )
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=PAGE_MAX))


class Due(ma.Schema):
    what = fields.String(required=True)
    on = fields.Date(required=True)
    overdue = fields.Boolean(required=True)


class CaseItem(ma.Schema):
    ref = fields.String(required=True, metadata={"example": "EHA-000123"})
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    family_name = fields.String(required=True)
    children = fields.List(fields.String(), required=True)
    lead = fields.String(required=True, allow_none=True)
    due = fields.Nested(Due, required=True, allow_none=True)


class CasePage(ma.Schema):
    items = fields.List(fields.Nested(CaseItem), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class TeamMember(ma.Schema):
    name = fields.String(required=True)
    agency = fields.String(required=True)
    role = fields.String(required=True)
    lead = fields.Boolean(required=True)


class Action(ma.Schema):
    key = fields.String(required=True)
    what = fields.String(required=True)
    who = fields.String(required=True)
    due_on = fields.Date(required=True, allow_none=True)
    success = fields.String(required=True)
    progress = fields.String(required=True, allow_none=True, validate=validate.OneOf(list(ACTION_PROGRESS)))
    progress_label = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back with a progress update."})
    yours = fields.Boolean(required=True, metadata={"description": "You own it: you may update its progress."})
    agreed = fields.Boolean(required=True, metadata={"description": "It is in the signed plan in force."})


class CaseSummary(CaseItem):
    team = fields.List(fields.Nested(TeamMember), required=True)
    plan_version = fields.Integer(required=True, allow_none=True)
    actions = fields.List(fields.Nested(Action), required=True)


class ProgressUpdate(StrictSchema):
    version = fields.Integer(required=True, strict=True, metadata={"description": "The action's version you read."})
    progress = fields.String(required=True, validate=validate.OneOf(list(ACTION_PROGRESS)))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class Me(ma.Schema):
    name = fields.String(required=True)
    role = fields.String(required=True)
    agency = fields.String(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(list(API_SCOPES))), required=True)
    token_expires_at = UtcDateTime(required=True)


class WebhookInput(StrictSchema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=320))


class Webhook(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(validate=validate.OneOf(list(WEBHOOK_EVENTS))), required=True)
    created_at = UtcDateTime(required=True)


class WebhookList(ma.Schema):
    items = fields.List(fields.Nested(Webhook), required=True)


class NewWebhook(Webhook):
    secret = fields.String(
        required=True, metadata={"description": "Shown once: the key of each delivery's X-EHA-Signature."}
    )


class TokenRequest(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    grant_type = fields.String(required=True, validate=validate.Length(max=50))
    client_id = fields.String(validate=validate.Length(max=200))
    client_secret = fields.String(validate=validate.Length(max=200))
    scope = fields.String(validate=validate.Length(max=200))


class TokenResponse(ma.Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.OneOf(["Bearer"]))
    expires_in = fields.Integer(required=True)
    scope = fields.String(required=True)


class OAuthError(ma.Schema):
    error = fields.String(
        required=True,
        validate=validate.OneOf(["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"]),
    )
    error_description = fields.String()


# --- reports and returns (managers) ---

ID_TEXT = validate.Length(max=20)


class ReportQuery(ma.Schema):
    """The report page's filters; each is checked as the page checks it (400 with the reason)."""

    class Meta:
        unknown = ma.EXCLUDE

    period = fields.String(
        validate=validate.Length(max=20),
        metadata={"description": "3m, 6m, 12m (the default), 18m, fy or last-fy; or send from and to."},
    )
    from_ = fields.String(data_key="from", validate=ID_TEXT, metadata={"description": "YYYY-MM-DD"})
    to = fields.String(validate=ID_TEXT, metadata={"description": "YYYY-MM-DD"})
    state = fields.String(validate=validate.Length(max=40), metadata={"description": "A case state's code."})
    lead = fields.String(validate=ID_TEXT, metadata={"description": "A lead professional's user id."})
    lead_agency = fields.String(validate=ID_TEXT, metadata={"description": "The lead professional's agency id."})
    taf_agency = fields.String(validate=ID_TEXT, metadata={"description": "A TAF member's agency id."})


class ReturnQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    from_ = fields.String(
        data_key="from", validate=ID_TEXT, metadata={"description": "YYYY-MM-DD; neither: the last financial year."}
    )
    to = fields.String(validate=ID_TEXT, metadata={"description": "YYYY-MM-DD"})


class ReportLink(ma.Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The report's outline (its tables)."})


class ReturnLink(ma.Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    csv = fields.String(required=True, metadata={"description": "The return as CSV (send from and to)."})


class ReportIndex(ma.Schema):
    reports = fields.List(fields.Nested(ReportLink), required=True)
    returns = fields.List(fields.Nested(ReturnLink), required=True)


class ReportTable(ma.Schema):
    key = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.String(), required=True)
    csv = fields.String(required=True, metadata={"description": "Every row, as CSV: send the same filters."})


class ReportOutline(ma.Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    period = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from", attribute="from")
    to = fields.Date(required=True)
    tables = fields.List(fields.Nested(ReportTable), required=True)


CSV = {"type": "string", "description": "CSV (RFC 4180), a header row first."}
