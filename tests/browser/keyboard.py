"""Driving pages with Tab, Shift+Tab, Space and Enter, checking a visible focus indicator each time.

The one exception is choosing a radio option other than a group's first, which needs the arrow keys.

Text goes into a focused field with ``keyboard.insert_text``, as typing would put it there.
"""

FOCUS_COLOUR = "rgb(255, 221, 0)"  # GOV.UK's focus yellow

_FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const yellow = "__YELLOW__";
  const shows = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2
                        && !/^rgba\(.*,\s*0\)$/.test(s.outlineColor) && s.outlineColor !== "transparent")
    || s.boxShadow.includes(yellow) || s.backgroundColor === yellow;
  let visible = shows(getComputedStyle(el));
  if (!visible && el.matches(".govuk-radios__input, .govuk-checkboxes__input") && el.labels.length) {
    const label = el.labels[0];
    visible = shows(getComputedStyle(label, "::before")) || shows(getComputedStyle(label, "::after"));
  }
  const r = el.getBoundingClientRect();
  const onScreen = r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth;
  const label = (el.labels && el.labels.length ? el.labels[0].innerText : "") || el.getAttribute("aria-label")
    || el.innerText || el.value || el.name || el.id;
  return {tag: el.tagName.toLowerCase(), type: el.type || "", id: el.id, name: el.name || "",
          label: (label || "").trim().replace(/\s+/g, " ").slice(0, 80), visible, onScreen,
          checked: !!el.checked, value: el.value || "",
          groupChecked: el.type === "radio" || el.type === "checkbox"
            ? [...document.getElementsByName(el.name)].some((x) => x.checked) : false,
          inSectionForm: !!el.closest("form") && !!el.closest("main"),
          firstInGroup: el.name ? document.getElementsByName(el.name)[0] === el : false};
}""".replace("__YELLOW__", FOCUS_COLOUR)

MAX_PRESSES = 200


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.presses = 0

    def focused(self):
        return self.page.evaluate(_FOCUSED)

    def press(self, key):
        self.page.keyboard.press(key)
        self.presses += 1
        info = self.focused()
        if info is not None:
            assert info["visible"], f"no visible focus indicator on {info} at {self.page.url}"
            assert info["onScreen"], f"focused element is off screen: {info} at {self.page.url}"
        return info

    def tab_to(self, matches, *, backwards=False, what="element"):
        """Tab (or Shift+Tab) until the focused element satisfies ``matches``; return its details."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MAX_PRESSES):
            info = self.press(key)
            if info is not None and matches(info):
                return info
        raise AssertionError(f"could not reach {what} with {key} on {self.page.url}")

    def tab_to_label(self, text, *, exact=False, tags=None, backwards=False):
        def matches(info):
            if tags and info["tag"] not in tags:
                return False
            return info["label"] == text if exact else text.lower() in info["label"].lower()

        return self.tab_to(matches, backwards=backwards, what=repr(text))

    def type_into(self, label, text, *, exact=False):
        self.tab_to_label(label, exact=exact, tags=("input", "textarea"))
        self.page.keyboard.insert_text(text)

    def activate(self, label, *, key="Enter", tags=("a", "button")):
        self.tab_to_label(label, tags=tags)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.presses += 1

    def check(self, label, *, exact=True):
        """Tick a checkbox, or choose a radio, by its label, with Space."""
        info = self.tab_to_label(label, exact=exact, tags=("input",))
        if not info["checked"]:
            self.page.keyboard.press("Space")
            self.presses += 1

    def choose(self, label, *, exact=True):
        """Choose a radio option: Tab into the next radio group, then the arrow keys to the option.

        Chromium makes a radio group one tab stop (its first option, or the checked one), so any other
        option needs the arrow keys, as it does for every keyboard user.
        """
        info = self.tab_to(lambda i: i["type"] == "radio", what="a radio group")
        for _ in range(20):
            if info["label"] == label or (not exact and label.lower() in info["label"].lower()):
                if not info["checked"]:
                    self.page.keyboard.press("Space")
                    self.presses += 1
                return info
            info = self.press("ArrowDown")
        raise AssertionError(f"no radio option {label!r} in the group at {self.page.url}")

    def date(self, legend_id_prefix, day, month, year):
        for part, value in (("day", day), ("month", month), ("year", year)):
            self.tab_to(
                lambda i, p=part: i["id"].startswith(legend_id_prefix) and i["id"].endswith(f"-{p}"),
                what=f"{legend_id_prefix} {part}",
            )
            self.page.keyboard.insert_text(str(value))

    def start(self):
        """Begin from the top of the page, as after following a link."""
        self.page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
