"""The JSON API under ``/api/v1/`` (issue 17), built with flask-smorest: marshmallow schemas declare every
request and response, and the OpenAPI 3.1 document at ``/api/v1/openapi.json`` is generated from them.

- ``auth``: bearer tokens (personal access tokens and OAuth client-credentials tokens), scopes, the per-token
  rate limit, and the audit event every call writes;
- ``schemas``: what goes in and out; ``views``: the endpoints, thin, over ``eha.services.api_cases``,
  ``eha.services.api_credentials`` and ``eha.services.webhooks``;
- ``reference``: the reference page at ``/api/v1/docs``, rendered on the server from the document (no script,
  nothing from a CDN, so it works offline under the strict CSP).

The API uses no cookies: a session cookie sent with an API call is ignored, so CSRF protection does not apply
to it (the blueprint is exempt) and a page's session can never be driven through the API.
"""

from flask_smorest import Api as SmorestApi

from eha.views.converters import CaseRefConverter, KeyConverter

PREFIX = "/api/v1"


class Api(SmorestApi):
    """flask-smorest, without its app-wide JSON error handler: eha's pages keep their HTML error pages, and
    ``eha.api.errors`` answers in JSON under ``/api/``."""

    def _register_error_handlers(self):
        pass


def _pattern_schema(regex):
    return lambda _converter: {"type": "string", "pattern": f"^{regex}$"}


def init_app(app):
    from eha.api import reference, views
    from eha.extensions import csrf

    app.config.setdefault("API_TITLE", "eha API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Cases, plans and webhooks for the systems a council's early help service works with."
            },
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "bearer": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token (eha_pat_...) or a client's token from "
                        "/api/v1/oauth/token (eha_cat_...).",
                    }
                }
            },
            "security": [{"bearer": []}],
        },
    )
    api = Api(app)  # one per app: the tests make many apps, each with its own document
    app.extensions["eha_api"] = api
    for converter in (CaseRefConverter, KeyConverter):
        api.register_converter(converter, _pattern_schema(converter.regex))
    api.register_blueprint(views.bp)
    csrf.exempt(views.bp)
    reference.init_app(app)
