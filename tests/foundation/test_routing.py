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


# --- compiled templates shared by the apps of a process (eha/template_cache.py) ---


def _environment(cache, source, **options):
    from jinja2 import DictLoader, Environment

    return Environment(loader=DictLoader({"page.html": source}), bytecode_cache=cache, autoescape=True, **options)


def test_a_second_environment_reuses_the_compiled_template_and_an_edit_compiles_again():
    from eha.template_cache import ProcessBytecodeCache

    cache = ProcessBytecodeCache()
    first = _environment(cache, "Hello {{ name }}").get_template("page.html")
    again = _environment(cache, "Hello {{ name }}").get_template("page.html")
    assert again.render(name="Ana") == "Hello Ana"
    assert again.root_render_func.__code__ is first.root_render_func.__code__  # not compiled twice
    edited = _environment(cache, "Goodbye {{ name }}").get_template("page.html")
    assert edited.render(name="Ana") == "Goodbye Ana"


def test_environments_with_other_whitespace_rules_do_not_share_code():
    from eha.template_cache import ProcessBytecodeCache

    cache = ProcessBytecodeCache()
    source = "{% if true %}\n  X\n{% endif %}"
    plain = _environment(cache, source).get_template("page.html").render()
    trimmed = _environment(cache, source, trim_blocks=True, lstrip_blocks=True).get_template("page.html").render()
    assert plain == "\n  X\n" and trimmed == "  X\n"


def test_a_second_app_in_the_process_does_not_compile_the_pages_again(app):
    from eha import create_app

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    assert other.jinja_env is not app.jinja_env
    assert other.jinja_env.trim_blocks and other.jinja_env.lstrip_blocks
    first = app.jinja_env.get_template("views/auth/sign_in.html")
    second = other.jinja_env.get_template("views/auth/sign_in.html")
    assert second is not first
    assert second.root_render_func.__code__ is first.root_render_func.__code__
