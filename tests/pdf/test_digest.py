"""The plan digest: deterministic, canonical, and sensitive to every part of the signed content."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from datetime import date

import pytest

from eha.pdf.digest import SCHEMA, canonical_plan_content, plan_digest, signed_plan_content
from tests.pdf.conftest import typical_plan


def test_canonical_content_is_sorted_compact_utf8_json_with_iso_dates():
    data = {"b": 1, "a": [date(2026, 3, 6), "Łódź"], "c": {"z": True, "y": None}}
    assert canonical_plan_content(data) == '{"a":["2026-03-06","Łódź"],"b":1,"c":{"y":null,"z":true}}'.encode()


def test_digest_is_the_sha256_hex_of_the_canonical_content():
    data = signed_plan_content(typical_plan())
    digest = plan_digest(data)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == hashlib.sha256(canonical_plan_content(data)).hexdigest()


def test_digest_is_deterministic_whatever_the_key_order():
    data = signed_plan_content(typical_plan())
    reordered = json.loads(json.dumps(dict(reversed(list(data.items()))), default=str))
    assert plan_digest(data) == plan_digest(data) == plan_digest(reordered)


@pytest.mark.parametrize(
    "change",
    [
        {"version": 3},
        {"reference": "EHA-000124"},
        {"worries": "Something else"},
        {"needs": ("Only one need",)},
        {"next_review": date(2026, 4, 11)},
        {"signatures": ()},
    ],
)
def test_digest_changes_when_the_content_changes(change):
    before = plan_digest(signed_plan_content(typical_plan()))
    assert plan_digest(signed_plan_content(typical_plan(**change))) != before


def test_digest_changes_when_one_action_changes():
    plan = typical_plan()
    actions = list(plan.actions)
    actions[3] = dataclasses.replace(actions[3], is_family=False)
    assert plan_digest(signed_plan_content(plan)) != plan_digest(
        signed_plan_content(dataclasses.replace(plan, actions=tuple(actions)))
    )


def test_digest_ignores_printing_details():
    plan = typical_plan()
    reprint = dataclasses.replace(plan, generated_at=plan.generated_at.replace(year=2030), digest="x")
    assert plan_digest(signed_plan_content(plan)) == plan_digest(signed_plan_content(reprint))


def test_signed_content_has_the_documented_keys():
    data = signed_plan_content(typical_plan())
    assert data["schema"] == SCHEMA
    assert set(data) == {
        "schema", "reference", "version", "family_name", "children", "lead", "taf_members", "worries",
        "working_well", "needs", "actions", "next_review", "signatures",
    }  # fmt: skip
    assert set(data["actions"][0]) == {"number", "need", "what", "who", "is_family", "by_when", "success"}
    assert set(data["signatures"][0]) == {"name", "role", "signed_on", "method"}


def test_composed_and_decomposed_accents_give_the_same_digest():
    assert plan_digest({"name": "Nguyễn"}) == plan_digest({"name": "Nguye\u0302\u0303n"})


@pytest.mark.parametrize("bad", [{"s": {1, 2}}, {"f": float("nan")}, {1: "int key"}, {"o": object()}])
def test_ambiguous_values_are_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        plan_digest(bad)
