"""A real OpenID provider for the tests (tests/sso/oidc_provider.mjs, the npm ``oidc-provider`` package), and a
browser-like walk through its sign-in page with ``requests``."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from lxml import html

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "sso" / "oidc_provider.mjs"
CLIENT_ID = "eha-tests"
CLIENT_SECRET = "eha-tests-client-secret-long-enough"

# Subject -> claims. Two accounts share an email address: a second account at the same provider must not take
# over a user already linked to the first.
ACCOUNTS = {
    "sub-alice": {"email": "alice.adams@northshire.example.gov.uk", "email_verified": True, "name": "Alice Adams"},
    "sub-alice-impostor": {"email": "alice.adams@northshire.example.gov.uk", "name": "Not Alice"},
    "sub-nadia": {"email": "nadia.new@health.example.nhs.uk", "email_verified": True, "name": "Nadia New"},
    "sub-stranger": {"email": "someone@elsewhere.example.com", "email_verified": True, "name": "A Stranger"},
    "sub-unverified": {"email": "bob.brown@northshire.example.gov.uk", "email_verified": False, "name": "Bob"},
}


def node_or_skip():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the single sign-on tests need it to run the OpenID provider")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("node_modules/oidc-provider is missing: run `npm ci` (make test does)")
    return node


class OpenIDProvider:
    """The provider process: ``issuer`` once started; ``stop()`` ends it."""

    def __init__(self, redirect_uris, post_logout_redirect_uris, jwks=None):
        node = node_or_skip()
        self._dir = tempfile.TemporaryDirectory(prefix="eha-oidc-")
        config = Path(self._dir.name) / "provider.json"
        client = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": list(redirect_uris),
            "post_logout_redirect_uris": list(post_logout_redirect_uris),
            "token_endpoint_auth_method": "client_secret_basic",
        }
        config.write_text(json.dumps({"clients": [client], "accounts": ACCOUNTS, **({"jwks": jwks} if jwks else {})}))
        self._process = subprocess.Popen(
            [node, str(SCRIPT), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        line = self._process.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError("the OpenID provider did not start")
        self.issuer = json.loads(line)["issuer"]

    def settings(self, name="test", **extra):
        """One entry of EHA_OIDC_PROVIDERS for this provider."""
        return {
            "name": name,
            "label": "Test council account",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            **extra,
        }

    def stop(self):
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)
        self._dir.cleanup()


class ProviderBrowser:
    """A browser at the provider: keeps its cookies, fills in its sign-in form, follows its redirects until
    they leave for ``app_origin``, and returns that address (the callback, or where logout sends back)."""

    def __init__(self, app_origin):
        self.app_origin = app_origin
        self.http = requests.Session()

    def _follow(self, response):
        for _ in range(20):
            if response.status_code not in (302, 303):
                return response
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(self.app_origin):
                return location
            response = self.http.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("too many redirects at the provider")

    def visit(self, url):
        """GET ``url`` and follow redirects: the provider's page (a Response), or the address back at the app."""
        return self._follow(self.http.get(url, allow_redirects=False, timeout=10))

    def sign_in(self, authorize_url, login, mfa=False):
        """Go to the provider's authorisation address and sign in as ``login``: the callback address."""
        page = self.visit(authorize_url)
        if isinstance(page, str):
            return page  # already signed in at the provider
        assert "Sign in to the test identity provider" in page.text, page.text[:500]
        form = html.fromstring(page.text).forms[0]
        data = {"login": login, **({"mfa": "yes"} if mfa else {})}
        action = urljoin(page.url, form.action)
        return self._follow(self.http.post(action, data=data, allow_redirects=False, timeout=10))

    def sign_out(self, logout_url):
        """Open the provider's end-session address and confirm: the address it sends back to."""
        page = self.visit(logout_url)
        form = html.fromstring(page.text).forms[0]
        data = dict(form.form_values())
        data["logout"] = "yes"
        return self._follow(self.http.post(urljoin(page.url, form.action), data=data, allow_redirects=False))
