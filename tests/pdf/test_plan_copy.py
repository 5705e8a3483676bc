"""The plan's accessible copies (HTML and plain text) and its languages, served by the app: the same plan, the
same digest, the same access and audit as plan.pdf; ``?lang`` and the carer's preferred language."""

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.pdf.i18n import translator
from tests import factories
from tests.documents import helpers


@pytest.fixture
def lead(app):
    school = factories.agency(name="Northtown Primary School", kind="school")
    return factories.user(role="practitioner", agency=school, name="Lena Lead")


@pytest.fixture
def signed(lead):
    case = helpers.assessed_case(lead)
    version = helpers.signed_plan(case, lead, whats=["Walk Zofia to school", "Book a GP appointment"])
    return case, version


def downloads(case):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == "pdf_downloaded")
        .order_by(AuditEvent.seq)
    ).all()


def set_carer(case, **values):
    carer = case.family.carers[0]
    for name, value in values.items():
        setattr(carer, name, value)
    db.session.commit()


def test_the_html_copy_is_the_signed_plan_with_its_digest(client, signed_in, lead, signed):
    case, version = signed
    set_carer(case, preferred_language="English")
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = lxml_html.fromstring(response.data)
    assert page.get("lang") == "en-GB"
    assert [h.text_content() for h in page.findall(".//h1")] == ["Your family plan"]
    text = " ".join(page.text_content().split())
    for words in ("Walk Zofia to school", "Book a GP appointment", "Lena Lead", "Who agreed this plan"):
        assert words in text
    assert version.digest in text.replace(" ", "")
    assert page.find(".//meta[@name='eha-plan-digest']").get("content") == version.digest
    assert downloads(case)[-1].detail == {
        "document": "plan",
        "format": "html",
        "version": 1,
        "large": False,
        "lang": "en",
    }


def test_the_text_copy_reads_as_an_email_body(client, signed_in, lead, signed):
    case, version = signed
    signed_in(lead)
    # The carer prefers Polish, which now has a catalogue: ask for the English copy.
    response = client.get(f"/assessments/{case.ref}/plan.txt?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "<" not in body.replace("<b>", "")  # no markup
    assert "Walk Zofia to school" in body and "WHAT WE WILL DO" in body
    assert version.digest in "".join(body.split())
    assert max(len(line) for line in body.splitlines()) <= 72
    assert downloads(case)[-1].detail["format"] == "text"


def test_the_copies_keep_plan_pdf_access_rules(client, signed_in, signed):
    case, _ = signed
    stranger = factories.user(role="practitioner", name="Sol Stranger")
    signed_in(stranger)
    for address in ("plan.html", "plan.txt", "plan.html?version=1&large=1&lang=pl"):
        assert client.get(f"/assessments/{case.ref}/{address}").status_code == 404
    assert client.get(f"/assessments/{case.ref}/plan.html?version=abc").status_code in (302, 404)


@pytest.mark.parametrize("lang", ["xx", "", "pl-PL\x00", "<script>", "e" * 5000, "%00", "en_GB"])
def test_an_unknown_language_prints_in_english_and_never_fails(client, signed_in, lead, signed, lang):
    case, _ = signed
    signed_in(lead)
    for address in ("plan.pdf", "plan.html", "plan.txt"):
        response = client.get(f"/assessments/{case.ref}/{address}", query_string={"lang": lang})
        # The app refuses a NUL byte anywhere in a request (400); anything else prints.
        assert response.status_code == (400 if "\x00" in lang else 200), address
    if "\x00" in lang:
        return
    text = helpers.pdf_text(client.get(f"/assessments/{case.ref}/plan.pdf", query_string={"lang": lang}).data)
    # An empty ?lang= asks for nothing: the family's language, Polish, which has a catalogue.
    assert ("Plan dla Twojej rodziny" if lang == "" else "Your family plan") in text


def test_the_plan_is_in_the_carers_language_unless_lang_says_otherwise(client, signed_in, lead, signed):
    case, _ = signed
    set_carer(case, preferred_language="polski", interpreter_needed=True)
    signed_in(lead)
    page = client.get(f"/assessments/{case.ref}/plan.html").get_data(as_text=True)
    assert 'lang="pl"' in page or "not ready in Polish" in page  # Polish, or English saying Polish is not ready
    assert "If you need an interpreter" in page or 'lang="en-GB" dir="ltr">If you need an interpreter' in page
    response = client.get(f"/assessments/{case.ref}/plan.pdf")
    printed = translator("pl").locale  # "en" until the Polish catalogue is shipped
    suffix = "" if printed == "en" else "-pl"
    assert response.headers["Content-Disposition"].endswith(f'-plan-v1{suffix}.pdf"')
    assert downloads(case)[-1].detail["lang"] == "pl"
    english = client.get(f"/assessments/{case.ref}/plan.html?lang=en").get_data(as_text=True)
    assert 'lang="en-GB"' in english and "not ready in" not in english
    assert "If you need an interpreter to read this plan" in english  # the note, in English


def test_the_plan_page_links_to_every_edition(client, signed_in, lead, signed):
    case, _ = signed
    set_carer(case, preferred_language="Urdu")
    signed_in(lead)
    page = client.get(f"/assessments/{case.ref}/plan").get_data(as_text=True)
    for code in ("en", "cy", "pl", "ro", "ur", "ar", "bn"):
        for address in ("plan.pdf", "plan.html"):
            assert f"/assessments/{case.ref}/{address}?version=1&amp;lang={code}" in page, (code, address)
            assert f"/assessments/{case.ref}/{address}?version=1&amp;lang={code}&amp;large=1" in page
    assert page.index("lang=ur") < page.index("lang=en")  # the family's language first
