"""The API reference page at ``/api/v1/docs``: the OpenAPI document rendered on the server as a GOV.UK page.

No script and nothing from a CDN (Swagger UI and Redoc would need both), so it works offline and under the
strict Content-Security-Policy; it cannot disagree with the document because it is read from it.

The page's own words follow the interface's language (Welsh with ``?lang=cy``); what the document says (paths,
field names, types, its summaries) is the contract and is shown as written.
"""

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

bp = Blueprint("api_reference", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema):
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def describe_schema(schema):
    """A short type description: ``CaseSummary``, ``string (date)``, ``array of Action``, ``string or null``."""
    if not schema:
        return ""
    name = _ref_name(schema)
    if name:
        return name
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _(" or ").join(describe_schema(part) for part in schema[key])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        return _(" or ").join(describe_schema({**schema, "type": k}) for k in kind)
    if kind == "array":
        return _("array of %(type)s", type=describe_schema(schema.get("items")))
    text = kind + (f" ({schema['format']})" if schema.get("format") else "")
    if schema.get("enum") and kind != "null":
        text = _(
            "%(type)s: one of %(values)s", type=text, values=", ".join(str(v) for v in schema["enum"] if v is not None)
        )
    return text


def _content_schema(body):
    content = (body or {}).get("content", {})
    for media in content.values():
        return media.get("schema")
    return None


def _operations(spec):
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _operation(path, method, op, default_security):
    return {
        "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary") or op.get("operationId", ""),
        "description": op.get("description", ""),
        "parameters": [
            {
                "name": p.get("name"),
                "in": p.get("in"),
                "required": p.get("required", False),
                "type": describe_schema(p.get("schema")),
                "description": p.get("description", ""),
            }
            for p in op.get("parameters", [])
        ],
        "body": describe_schema(_content_schema(op.get("requestBody"))),
        "responses": [
            {"status": status, "description": r.get("description", ""), "type": describe_schema(_content_schema(r))}
            for status, r in op.get("responses", {}).items()
        ],
        "secured": op.get("security", default_security) not in (None, []),
    }


def _schemas(spec):
    out = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        out.append(
            {
                "name": name,
                "properties": [
                    {
                        "name": prop,
                        "type": describe_schema(value),
                        "required": prop in required,
                        "description": value.get("description", ""),
                    }
                    for prop, value in schema.get("properties", {}).items()
                ],
            }
        )
    return out


def reference(spec):
    """The page's view-model of an OpenAPI document (a dict)."""
    return {
        "title": spec.get("info", {}).get("title", "API"),
        "version": spec.get("info", {}).get("version", ""),
        "openapi": spec.get("openapi", ""),
        "description": spec.get("info", {}).get("description", ""),
        "operations": [_operation(path, method, op, spec.get("security")) for path, method, op in _operations(spec)],
        "schemas": _schemas(spec),
    }


@bp.route("/api/v1/docs")
def docs():
    spec = current_app.extensions["eha_api"].spec.to_dict()
    return render_template("views/api/reference.html", ref=reference(spec))


def init_app(app):
    app.register_blueprint(bp)
