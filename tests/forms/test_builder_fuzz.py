"""Hypothesis fuzzing of every section form of the default definition: nothing a user (or a forged POST) sends
makes a form raise, and whatever passes the draft check is safe to store."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from eha.definitions import latest_definition
from eha.forms.builder import answers_to_formdata, build_section_form, form_to_answers

DEFINITION = latest_definition("eha-default")

text_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "0", "10", "11", "-1", "yes", "1A", "sf-housing", "31", "2", "2020", "１"]),
    st.builds(
        lambda ch, n: ch * n,
        st.sampled_from(["x", "é", "\x00", " ", "\r\n", "😀", "9"]),
        st.integers(0, 21000),
    ),
)


def formdata_for(section):
    keys = st.one_of(st.sampled_from(section.field_keys), st.text(max_size=10), st.just("csrf_token"))
    return st.lists(st.tuples(keys, text_values), max_size=25).map(MultiDict)


@pytest.mark.parametrize("section_key", DEFINITION.section_keys)
def test_no_input_makes_a_section_form_raise(forms_app, section_key):
    section = DEFINITION.section(section_key)
    form_class = build_section_form(section)
    lengths = {spec.key: spec.max_length for spec in section.fields if spec.max_length}

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(formdata_for(section))
    def check(formdata):
        with forms_app.test_request_context("/", method="POST"):
            form = form_class(formdata=formdata)
            draft_ok = form.validate_draft()
            for field in form:
                str(field())
            answers = form_to_answers(form)
            complete_ok = form_class(formdata=formdata).validate_complete()
            assert not complete_ok or draft_ok
            if not draft_ok:
                return
            encoded = json.dumps(answers)
            assert "\\u0000" not in encoded
            for key, value in answers.items():
                assert key in section.field_keys
                if isinstance(value, str):
                    assert len(value) <= lengths.get(key, 10**9)
                    assert value == value.strip()
            again = form_class(formdata=answers_to_formdata(section, answers))
            assert again.validate_draft()
            assert form_to_answers(again) == answers

    check()
