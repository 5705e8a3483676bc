"""Field-level protection: notice (and log) POSTed keys that are not fields of the form.

A form only ever writes its own fields, so a forged ``state`` or ``lead_id`` never reaches the database;
this records the attempt so that it can be seen. Call it in any view that handles a POST::

    form = SomeForm()
    if request.method == "POST":
        note_forged_fields(form, request, assessment=case)
    if form.validate_on_submit(): ...

It records at most one ``forged_field`` event per request (outcome "refused") and returns the names it found.
Call it before ``load_case(..., audit_action=None)``'s own event is added, or after: it is an extra event
only when something was forged, so a normal request still writes exactly one.
"""

from flask import g

from eha import audit

# Names worth flagging even when a form happens to have no such field (they are what an attacker tries).
PROTECTED = (
    "state",
    "lead_id",
    "started_by_id",
    "agency_id",
    "role",
    "version",
    "version_id",
    "definition_version",
    "definition_name",
    "owner_user_id",
    "owner_person_id",
    "removed_at",
    "user_id",
    "id",
    "assessment_id",
    "active",
    "totp_secret",
    "password_hash",
    "created_by_id",
    "granted_by_id",
    "closed_by_id",
)
# Keys that forms legitimately post without a field of that name.
_ALWAYS_ALLOWED = {"csrf_token", "submit", "next"}


def _form_keys(form):
    keys = set()
    for field in form:
        keys.add(field.name)
        # FieldList / FormField sub-fields post as "<name>-<n>-<sub>" or "<name>-<sub>".
        keys.add(field.name + "-")
    return keys


def forged_fields(form, formdata, allowed=()):
    names = _form_keys(form)
    extra = []
    for key in formdata.keys():
        if not isinstance(key, str) or key in _ALWAYS_ALLOWED or key in allowed or key in names:
            continue
        if any(key.startswith(prefix) for prefix in names if prefix.endswith("-")):
            continue
        extra.append(key[:60])
    return sorted(set(extra))[:20]


def note_forged_fields(form, request, protected=PROTECTED, *, assessment=None, allowed=(), user=None):
    """Record an audit event ``forged_field`` naming the POSTed keys that are not fields of ``form``.

    ``protected`` names are flagged as such in the detail (they are the dangerous ones). Returns the list of
    extra keys (empty when nothing was forged). The forged values are never applied nor stored.
    """
    if request.method != "POST":
        return []
    if "eha_forged_fields" in g:  # already noted for this request (BaseForm notes on validate)
        return g.eha_forged_fields
    extra = forged_fields(form, request.form, allowed)
    g.eha_forged_fields = extra
    if not extra:
        return []
    if assessment is None:
        assessment = g.get("eha_case")
    detail = {"fields": extra, "protected": [k for k in extra if k in set(protected)], "endpoint": request.endpoint}
    audit.record_refusal("forged_field", assessment=assessment, detail=detail, user=user)
    return extra
