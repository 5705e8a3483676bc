import pytest

from tests.security.helpers import seed_world


@pytest.fixture
def world(app):
    return seed_world()
