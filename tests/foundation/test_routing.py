"""URL builders compiled on first use (eha/routing.py) build exactly what werkzeug's own rules build."""

from werkzeug.routing import Map, Rule

from eha.routing import LazyBuildRule


def test_every_rule_of_the_app_builds_the_same_url_as_werkzeugs_own_rule(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert rules and all(isinstance(rule, LazyBuildRule) for rule in rules)
    standard = ("UnicodeConverter", "IntegerConverter")
    simple = [r for r in rules if all(type(c).__name__ in standard for c in r._converters.values())]
    plain = Map([Rule(r.rule, endpoint=r.endpoint) for r in simple], converters=app.url_map.converters).bind("x")
    adapter = app.url_map.bind("x")
    for rule in simple:
        values = dict.fromkeys(rule.arguments, "7")
        for extra in ({}, {"lang": "cy"}):
            built = adapter.build(rule.endpoint, {**values, **extra}, method=sorted(rule.methods)[0])
            assert built == plain.build(rule.endpoint, {**values, **extra}), rule.rule
    assert len(simple) > 50  # the rules with only werkzeug's own converters (eha's own are checked by every page test)


def test_a_builder_is_compiled_once_on_first_use(app):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "assessments.show")
    lazy = rule.__dict__["_build_unknown"]
    with app.test_request_context():
        from flask import url_for

        assert url_for("assessments.show", ref="EHA-000042") == "/assessments/EHA-000042"
        compiled = rule.__dict__["_build_unknown"]
        assert compiled is not lazy
        assert url_for("assessments.show", ref="EHA-000043") == "/assessments/EHA-000043"
        assert rule.__dict__["_build_unknown"] is compiled
