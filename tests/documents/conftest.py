import pytest

from tests import factories


@pytest.fixture
def school(app):
    return factories.agency(name="Northtown Primary School", kind="school")


@pytest.fixture
def lead(app, school):
    return factories.user(role="practitioner", agency=school, name="Lena Lead")


@pytest.fixture
def stranger(app, school):
    return factories.user(role="practitioner", agency=school, name="Sol Stranger")
