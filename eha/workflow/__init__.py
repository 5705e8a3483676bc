"""The workflow: states, the transition table, guards, effects, timescales and ``fire()``.

Import ``eha.workflow.engine`` for ``fire``; this package itself stays import-light because the models import
``eha.workflow.states``.
"""
