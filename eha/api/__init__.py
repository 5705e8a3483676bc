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

import threading

from flask_smorest import Api as SmorestApi

from eha.views.converters import CaseRefConverter, KeyConverter

PREFIX = "/api/v1"


class Api(SmorestApi):
    """flask-smorest, without its app-wide JSON error handler: eha's pages keep their HTML error pages, and
    ``eha.api.errors`` answers in JSON under ``/api/``.

    The OpenAPI document is built when it is first read (``/api/v1/openapi.json``, the reference page), not when
    the blueprint is registered: building it took a quarter of a second of every ``create_app``, paid by every
    worker and every test for a document few of them serve."""

    def __init__(self, *args, **kwargs):
        self._deferred = []  # (method, args, kwargs) of flask-smorest's that write the document, in call order
        self._building = threading.Lock()
        self._initialising = False
        self._replaying = None  # the thread building the document
        super().__init__(*args, **kwargs)

    def init_app(self, app, **kwargs):
        self._initialising = True  # flask-smorest reads the document while it sets it up: nothing is built yet
        try:
            super().init_app(app, **kwargs)
        finally:
            self._initialising = False

    @property
    def spec(self):
        if self._deferred and not self._initialising and self._replaying != threading.get_ident():
            with self._building:  # another thread asking meanwhile waits here for the whole document
                self._replaying = threading.get_ident()  # the replayed calls read self.spec themselves
                try:
                    while self._deferred:
                        method, args, kwargs = self._deferred.pop(0)
                        method(*args, **kwargs)
                finally:
                    self._replaying = None
        return self._spec

    @spec.setter
    def spec(self, value):
        self._spec = value

    def _register_responses(self):
        self._deferred.append((super()._register_responses, (), {}))

    def register_converter(self, converter, func):
        self._deferred.append((super().register_converter, (converter, func), {}))

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._deferred.append((self._document, (blp, name, parameters), {}))

    def _document(self, blp, name, parameters):
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        self.spec.tag({"name": name, "description": blp.description})

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
