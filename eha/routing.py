"""URL rules whose builders are compiled when first used.

Werkzeug compiles two Python functions for every rule as it is added (one to build its URL, one to build it with
extra query arguments). For eha's 150 rules that is about half of ``create_app``'s time, paid by every gunicorn
worker and every test, although a process builds URLs for only some of its rules. ``LazyBuildRule`` keeps the
rule's matching exactly as werkzeug compiles it and compiles each builder on its first ``url_for``: the same
function, later. Two threads racing to compile one both get an equal function.
"""

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    def _compile_builder(self, append_unknown=True):
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def first_use(rule, **values):
            builder = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(**values)

        return first_use
