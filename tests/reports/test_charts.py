"""Charts keep 3:1 contrast for graphics against the white page, name the council's sans-serif font stack, and
carry no style attributes (the Content-Security-Policy refuses them)."""

import re

from lxml import etree

from eha.reports.charts import bar_chart, scaling_chart, to_svg


def _luminance(rgb):
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast_with_white(rgb):
    return 1.05 / (_luminance(rgb) + 0.05)


def _colour(value):
    found = re.fullmatch(r"rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", value.replace(" ", ""))
    return tuple(float(part) / 100 for part in found.groups()) if found else None


def _svg(svg):
    return etree.fromstring(svg.encode())


def test_bar_fills_and_text_have_at_least_3_to_1_contrast_with_white():
    tree = _svg(to_svg(bar_chart(["A", "B"], [[1, 2], [3, 4], [5, 6]], ["One", "Two", "Three"])))
    fills = {e.get("fill") for e in tree.iter() if e.get("fill") not in (None, "none", "rgb(100%,100%,100%)")}
    assert len(fills) >= 3
    for fill in fills:
        assert _contrast_with_white(_colour(fill)) >= 3, fill


def test_the_scaling_chart_uses_the_sans_serif_stack_and_no_style_attributes():
    svg = scaling_chart([("Assessment", None, 4, 5), ("Review 1", None, 6, None)])
    tree = _svg(svg)
    texts = [e for e in tree.iter() if e.tag.endswith("text")]
    assert texts and all("sans-serif" in e.get("font-family") for e in texts)
    assert not [e for e in tree.iter() if e.get("style") is not None]
    assert "#f47738" not in svg and "95%,47%,22%" not in svg  # the old 2.78:1 orange
    assert tree.find("{http://www.w3.org/2000/svg}title").text.startswith("Bar chart of the family's")
