import json

import pytest

from tests.sso.provider import OpenIDProvider

# The Flask test client's address, to which the provider sends the browser back.
APP_ORIGIN = "http://localhost"


@pytest.fixture(scope="session")
def oidc_provider():
    provider = OpenIDProvider(
        redirect_uris=[f"{APP_ORIGIN}/sign-in/sso/test/callback", f"{APP_ORIGIN}/sign-in/sso/wrong-issuer/callback"],
        post_logout_redirect_uris=[f"{APP_ORIGIN}/sign-in?signed_out=1"],
    )
    yield provider
    provider.stop()


@pytest.fixture
def app_settings(oidc_provider):
    return {"EHA_OIDC_PROVIDERS": json.dumps([oidc_provider.settings()])}
