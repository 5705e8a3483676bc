import json

import pytest
from joserfc.jwk import RSAKey

from tests import factories
from tests.sso.provider import OpenIDProvider, ProviderBrowser

# The Flask test client's address, to which the provider sends the browser back.
APP_ORIGIN = "http://localhost"
ALICE = "alice.adams@northshire.example.gov.uk"


@pytest.fixture(scope="session")
def signing_key():
    """The provider's signing key, which the tests also hold so they can sign ID tokens of their own."""
    return RSAKey.generate_key(
        2048, parameters={"kid": "eha-test-provider", "use": "sig", "alg": "RS256"}, private=True
    )


@pytest.fixture(scope="session")
def oidc_provider(signing_key):
    provider = OpenIDProvider(
        redirect_uris=[f"{APP_ORIGIN}/sign-in/sso/test/callback", f"{APP_ORIGIN}/sign-in/sso/wrong-issuer/callback"],
        post_logout_redirect_uris=[f"{APP_ORIGIN}/sign-in?signed_out=1"],
        jwks={"keys": [signing_key.as_dict(private=True)]},
    )
    yield provider
    provider.stop()


@pytest.fixture
def app_settings(oidc_provider):
    return {"EHA_OIDC_PROVIDERS": json.dumps([oidc_provider.settings()])}


@pytest.fixture
def browser():
    """A browser at the provider (its own cookies)."""
    return ProviderBrowser(APP_ORIGIN)


@pytest.fixture
def alice(app):
    """An eha user made by an administrator, not yet linked to the provider."""
    return factories.user(email=ALICE, name="Alice Adams", agency=factories.agency("Northshire Primary School"))
