"""The state diagram as SVG, drawn from the transition table (no graphviz needed), and the table in words for
the help page.

``python -m eha.workflow.diagram > docs/workflow.svg`` writes the copy the README shows. Its words go through the
catalogue: drawn inside a Welsh request (or ``force_locale("cy")``) the same table draws the Welsh diagram.
"""

from collections import defaultdict
from xml.sax.saxutils import escape

from flask_babel import gettext as _

from eha.i18n import N_
from eha.workflow.states import CLOSED, CLOSURE_REASONS, CLOSURE_REASONS_FROM, OPEN_STATES, STATE_LABELS, STEPPED_UP
from eha.workflow.table import TRIGGERS

STAYS = N_("Stays where it is")

BOX_W, BOX_H = 170, 60
GAP = 60
MARGIN = 30
TOP = 70
CLOSED_Y = 330
WIDTH = MARGIN * 2 + len(OPEN_STATES) * BOX_W + (len(OPEN_STATES) - 1) * GAP
HEIGHT = CLOSED_Y + BOX_H + MARGIN
FONT = 'font-family="Arial, Helvetica, sans-serif"'
LINE_CHARS = 18  # a state's name longer than this is drawn on two lines, so it stays inside its box


def _positions():
    pos = {state: (MARGIN + i * (BOX_W + GAP), TOP) for i, state in enumerate(OPEN_STATES)}
    pos[CLOSED] = (MARGIN, CLOSED_Y)
    return pos


def edges():
    """``{(source, dest): [trigger names]}`` from the table, for the steps that change the state."""
    out = defaultdict(list)
    for trigger in TRIGGERS:
        if trigger.dest is None:
            continue
        for source in trigger.sources:
            out[(source, trigger.dest)].append(trigger.name)
    return out


def internal_steps():
    """The names of the steps that leave the state as it is (closure sign-off)."""
    return [t.name for t in TRIGGERS if t.dest is None]


def _from_words(states):
    if tuple(states) == OPEN_STATES:
        return _("Any open stage")
    return ", ".join(_(STATE_LABELS[s]) for s in states)


def steps_in_words():
    """``[(label, from, to, what it needs)]``: the table as the help page shows it."""
    return [
        (_(t.label), _from_words(t.sources), _(STATE_LABELS[t.dest] if t.dest else STAYS), _(t.conditions))
        for t in TRIGGERS
    ]


def closure_reasons_in_words():
    """``[(reason, [the states it may be given from])]``; stepping up has its own step."""
    return [
        (_(label), [_(STATE_LABELS[s]) for s in CLOSURE_REASONS_FROM[code]])
        for code, label in CLOSURE_REASONS.items()
        if code != STEPPED_UP
    ]


def summary():
    """The diagram in one sentence, for its alternative text."""
    forwards = [
        _(
            "%(start)s to %(end)s by '%(step)s'",
            start=_(STATE_LABELS[t.sources[0]]),
            end=_(STATE_LABELS[t.dest]),
            step=_(t.label),
        )
        for t in TRIGGERS
        if t.dest not in (None, CLOSED)
    ]
    return _(
        "A diagram of the stages: %(steps)s. From any open stage the case can be closed or stepped up; a manager's "
        "sign-off of a closure is asked for and sent back without changing the stage.",
        steps="; ".join(forwards),
    )


def _text(x, y, text, size=14, anchor="middle", weight="normal"):
    return (
        f'<text x="{x}" y="{y}" {FONT} font-size="{size}" font-weight="{weight}" text-anchor="{anchor}" '
        f'fill="#0b0c0c">{escape(text)}</text>'
    )


def _lines(text, width=LINE_CHARS):
    """``text`` as one line, or two split at the space nearest its middle when it is longer than ``width``."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if len(text) <= width or not spaces:
        return [text]
    middle = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:middle], text[middle + 1 :]]


def _box(state, x, y, w=BOX_W):
    fill = "#f3f2f1" if state == CLOSED else "#ffffff"
    lines = _lines(_(STATE_LABELS[state])) if state != CLOSED else [_(STATE_LABELS[state])]
    first = y + BOX_H / 2 + 5 - 9 * (len(lines) - 1)
    return (
        f'<g id="state-{state}"><rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="6" fill="{fill}" '
        f'stroke="#0b0c0c" stroke-width="2"/>'
        + "".join(_text(x + w / 2, first + 18 * i, line, 15, weight="bold") for i, line in enumerate(lines))
        + "</g>"
    )


def _arrow(x1, y1, x2, y2):
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#0b0c0c" stroke-width="2" marker-end="url(#arrow)"/>'


def render():
    pos = _positions()
    title = _("How a case moves through early help: the workflow states and steps")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="workflow-title">',
        f'<title id="workflow-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#0b0c0c"/></marker></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    closed_w = WIDTH - 2 * MARGIN
    for state in OPEN_STATES:
        parts.append(_box(state, *pos[state]))
    parts.append(_box(CLOSED, *pos[CLOSED], w=closed_w))
    order = {state: i for i, state in enumerate(OPEN_STATES)}
    for (source, dest), names in sorted(edges().items(), key=lambda e: (order.get(e[0][0], 99), e[0][1])):
        sx, sy = pos[source]
        if dest == CLOSED:
            x = sx + BOX_W / 2
            parts.append(_arrow(x, sy + BOX_H, x, CLOSED_Y))
            parts.append(_text(x + 6, sy + BOX_H + 40, " / ".join(names), 12, anchor="start"))
            continue
        dx, _dy = pos[dest]
        if order[dest] > order[source]:  # forwards, along the top
            y = sy + BOX_H / 2 - 8
            parts.append(_arrow(sx + BOX_W, y, dx, y))
            parts.append(_text((sx + BOX_W + dx) / 2, sy - 12 - 16 * (order[source] % 2), " / ".join(names), 12))
        else:  # backwards (a review returns to the active plan): below the boxes
            y = sy + BOX_H / 2 + 12
            parts.append(_arrow(sx, y, dx + BOX_W, y))
            parts.append(_text((sx + dx + BOX_W) / 2, sy + BOX_H + 18, " / ".join(names), 12))
    internal = " / ".join(internal_steps())
    parts.append(
        _text(
            MARGIN + closed_w,
            HEIGHT - 8,
            _("Without changing the stage, from any open stage: %(steps)s", steps=internal),
            12,
            anchor="end",
        )
    )
    parts.append(
        _text(MARGIN, HEIGHT - 8, _("Every step runs its checks first; a closed case is final."), 12, anchor="start")
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render(), end="")
