"""Sign-in is rate-limited per address; one office's morning rush is well inside the default."""

import pytest

from tests import factories
from tests.foundation.test_sign_in import sign_in


@pytest.fixture
def app_settings():
    return {"EHA_SIGN_IN_RATE_LIMIT": "5 per minute"}


def test_sign_in_attempts_are_rate_limited_per_address(client, practitioner):
    for _ in range(5):
        assert sign_in(client, "someone@example.org", "wrong password entirely").status_code == 200
    response = sign_in(client, practitioner.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    # Another address is not affected.
    other = sign_in(client, practitioner.email, factories.PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302
