import pytest

from tests import factories


@pytest.fixture
def school(app):
    return factories.agency(name="Northtown Primary School", kind="school")


@pytest.fixture
def health(app):
    return factories.agency(name="Northshire Health Visiting", kind="health")


@pytest.fixture
def lead(app, school):
    return factories.user(role="practitioner", agency=school, name="Lena Lead")


@pytest.fixture
def nurse(app, health):
    return factories.user(role="practitioner", agency=health, name="Nia Nurse")
