"""Charts drawn on the server with ReportLab's own graphics (``reportlab.graphics``): already in the stack for
the PDFs, so the same drawing can go into a PDF later, and it writes SVG through a DOM, never strings by hand.

Colours are GOV.UK palette colours with at least 3:1 contrast against the white background (WCAG 1.4.11):
blue #1d70b8 (5.2:1), green #00703c (6.2:1), purple #4c2c92 (10.5:1); bars are outlined in white so
neighbouring bars stay apart. Text is #0b0c0c in the council's font stack (the SVG names it through
``fontHacks``, so a browser never falls back to a serif font)."""

from xml.dom import minidom

from flask_babel import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, white

FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif'
FONT = "Helvetica"
TEXT = HexColor("#0b0c0c")
SERIES_COLOURS = (HexColor("#1d70b8"), HexColor("#00703c"), HexColor("#4c2c92"))
WIDTH = 640
BAR_SPACE = 26  # height per category in a horizontal chart
MAX_LABEL = 40
TITLE_ID = "chart-title"


def _number(value):
    """A cell as a number for the chart ("45%" -> 45, "No cases" -> 0)."""
    if isinstance(value, int | float):
        return value
    text = str(value or "").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return 0


def _short(text):
    text = str(text)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _style_axes(chart):
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 11
        axis.labels.fillColor = TEXT
        axis.strokeColor = TEXT
    chart.valueAxis.forceZero = True
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = HexColor("#b1b4b6")


def _colour_bars(chart, count):
    chart.bars.strokeColor = white
    chart.bars.strokeWidth = 1
    for i in range(count):
        chart.bars[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]


def _legend(names, x, y):
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize, legend.fillColor = FONT, 11, TEXT
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 150
    legend.colorNamePairs = [(SERIES_COLOURS[i % len(SERIES_COLOURS)], name) for i, name in enumerate(names)]
    legend.strokeColor = white
    return legend


def bar_chart(categories, series, names, horizontal=False):
    """A ``Drawing`` of ``series`` (lists of numbers, one per category) against ``categories``."""
    if not categories:  # nothing to show: one empty bar, so the axes still draw
        categories, series = [""], [[0] for _ in series or [[0]]]
    data = [tuple(_number(v) for v in values) for values in series]
    categories = [_short(c) for c in categories]
    if horizontal:
        height = 60 + BAR_SPACE * len(categories) * max(1, len(data))
        drawing = Drawing(WIDTH, height)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 250, 40, WIDTH - 280, height - 60
        # Top to bottom in the table's order.
        data = [tuple(reversed(values)) for values in data]
        categories = list(reversed(categories))
    else:
        height = 300
        drawing = Drawing(WIDTH, height)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 50, 70, WIDTH - 70, height - 100
        chart.categoryAxis.labels.angle = 45 if len(categories) > 6 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 6 else "n"
    chart.data = data
    chart.categoryAxis.categoryNames = categories
    _style_axes(chart)
    _colour_bars(chart, len(data))
    drawing.add(chart)
    if len(names) > 1:
        drawing.add(_legend(names, 50, height - 10))
    return drawing


def _presentation_attributes(node):
    """Move each ``style="k: v"`` into presentation attributes (``k="v"``): the strict Content-Security-Policy
    (``style-src 'self'``) refuses style attributes, not presentation attributes."""
    if node.nodeType == node.ELEMENT_NODE and node.hasAttribute("style"):
        for declaration in node.getAttribute("style").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip() and value.strip():
                node.setAttribute(name.strip(), value.strip())
        node.removeAttribute("style")
    for child in node.childNodes:
        _presentation_attributes(child)


def to_svg(drawing, title=""):
    """The drawing as an SVG document with its ``<title>`` (the text alternative) and no style attributes."""
    svg = renderSVG.drawToString(drawing, fontHacks={FONT: {"family": FONT_STACK}})
    # ReportLab's own output (every label escaped by its DOM), not untrusted input.
    document = minidom.parseString(svg)  # noqa: S318
    root = document.documentElement
    _presentation_attributes(root)
    for name in ("title", "desc"):
        for node in root.getElementsByTagName(name):
            while node.firstChild:
                node.removeChild(node.firstChild)
            node.appendChild(document.createTextNode(title if name == "title" else ""))
            if name == "title":
                node.setAttribute("id", TITLE_ID)
    # Drawn into the page: scales to its column, read as one image by its title.
    root.setAttribute("width", "100%")
    root.removeAttribute("height")
    root.setAttribute("role", "img")
    root.setAttribute("aria-labelledby", TITLE_ID)
    root.setAttribute("focusable", "false")
    root.setAttribute("class", "app-chart")
    return root.toxml()


def report_chart(report):
    """``(svg, text alternative)`` for the report's chart, from its table's rows (already one query)."""
    spec = report.chart
    table = report.table(spec.table)
    rows = table.rows()
    names = [table.columns[i].label for i in spec.series]
    categories = [row[spec.category] for row in rows]
    series = [[row[i] for row in rows] for i in spec.series]
    drawing = bar_chart(categories, series, names, horizontal=spec.horizontal)
    text = describe(report, table, rows, names, spec)
    return to_svg(drawing, text), text


def describe(report, table, rows, names, spec):
    """The chart's text alternative: what it shows, the highest value of each series, and where the figures are."""
    if not rows:
        return _(
            "Bar chart of %(what)s: nothing to show for this period and these filters.",
            what=_lower_first(table.caption),
        )
    parts = []
    for name, i in zip(names, spec.series, strict=True):
        top = max(rows, key=lambda row: _number(row[i]))
        parts.append(
            _("%(series)s: highest %(value)s (%(category)s)", series=name, value=top[i], category=top[spec.category])
        )
    return _(
        "Bar chart of %(what)s (%(unit)s), %(bars)s bars per series. %(highest)s. The same figures are in the table "
        "below the chart.",
        what=_lower_first(table.caption),
        unit=spec.unit,
        bars=len(rows),
        highest="; ".join(parts),
    )


def scaling_chart(rows):
    """The case's "where are things now?" scores at the assessment and each review (``(label, when, family,
    practitioner)`` rows), as an SVG for the reviews page; a score not recorded draws no bar."""
    text = _(
        "Bar chart of the family's and the practitioner's scores from 0 to 10 at the assessment and each review. "
        "The same figures are in the table below."
    )
    series = [[row[2] or 0 for row in rows], [row[3] or 0 for row in rows]]
    drawing = bar_chart([row[0] for row in rows], series, [_("Family"), _("Practitioner")])
    chart = drawing.contents[0]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 10, 5
    return to_svg(drawing, text)


def _lower_first(text):
    """``text`` to follow "Bar chart of": its first letter in lower case, the rest (TAF, CIN) as written."""
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]
