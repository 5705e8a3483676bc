// Loaded with <script type="module">: browsers without ES modules get the
// no-JavaScript experience, which every page supports.
import { initAll } from "./govuk-frontend.min.js";
// A UMD bundle: imported for its side effect, window.accessibleAutocomplete.
import "./accessible-autocomplete.min.js";

initAll();

// Person pickers (eha/templates/components/picker.html). Without JavaScript the
// search box has a Search button that shows the page again with the people
// found. With it, the box becomes GOV.UK's accessible-autocomplete over the
// picker's JSON search (only people the user may choose), and choosing someone
// fills the form's own field, so the form posts exactly as it does without.
function fetchPeople(url, query, populate) {
  fetch(`${url}?q=${encodeURIComponent(query)}`, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  })
    .then((response) => (response.ok ? response.json() : { results: [] }))
    .then((answer) => populate(answer.results))
    .catch(() => populate([]));
}

function debounced(url) {
  let timer;
  return (query, populate) => {
    clearTimeout(timer);
    timer = setTimeout(() => fetchPeople(url, query, populate), 200);
  };
}

function checkbox(picker, person, n) {
  const name = picker.dataset.name;
  const item = document.createElement("div");
  item.className = "govuk-checkboxes__item";
  const input = document.createElement("input");
  Object.assign(input, {
    className: "govuk-checkboxes__input",
    id: `${name}-chosen-${n}`,
    name,
    type: "checkbox",
    value: person.value,
    checked: true,
  });
  const label = document.createElement("label");
  label.className = "govuk-label govuk-checkboxes__label";
  label.htmlFor = input.id;
  label.textContent = person.label;
  item.append(input, label);
  return item;
}

function chosenList(picker) {
  let list = picker.querySelector(".govuk-checkboxes");
  if (list) return list;
  const fieldset = document.createElement("fieldset");
  fieldset.className = "govuk-fieldset govuk-!-margin-top-4";
  const legend = document.createElement("legend");
  legend.className = "govuk-fieldset__legend govuk-fieldset__legend--s";
  legend.textContent = `Chosen (untick to remove)`;
  list = document.createElement("div");
  list.className = "govuk-checkboxes govuk-checkboxes--small";
  fieldset.append(legend, list);
  picker.append(fieldset);
  return list;
}

function enhancePicker(picker) {
  const input = picker.querySelector(".app-picker__input");
  if (!input || !window.accessibleAutocomplete) return;
  const multiple = picker.dataset.multiple === "true";
  const name = picker.dataset.name;
  const choices = picker.querySelector(".app-picker__choices");
  let hidden = null;
  let defaultValue = "";
  if (!multiple) {
    // One person: the field becomes a hidden input the autocomplete fills.
    const checked = choices && choices.querySelector("input:checked");
    hidden = document.createElement("input");
    Object.assign(hidden, { type: "hidden", name, value: checked ? checked.value : "" });
    if (checked) defaultValue = picker.querySelector(`label[for="${checked.id}"]`).textContent.trim();
    picker.append(hidden);
    if (choices) choices.remove();
  }
  const container = document.createElement("div");
  container.className = "app-picker__autocomplete";
  input.parentNode.insertBefore(container, input);
  const id = input.id;
  input.remove();
  picker.querySelectorAll(".app-picker__button, .app-picker__found").forEach((el) => el.remove());
  let added = 0;
  window.accessibleAutocomplete({
    element: container,
    id,
    name: `${name}_q`,
    source: debounced(picker.dataset.source),
    minLength: 2,
    defaultValue,
    showNoOptionsFound: true,
    confirmOnBlur: false,
    tNoResults: () => `No ${picker.dataset.noun} you can choose matches`,
    templates: {
      inputValue: (person) => (person && !multiple ? person.label : ""),
      suggestion: (person) => (typeof person === "string" ? person : person && person.label),
    },
    onConfirm: (person) => {
      if (!person) return;
      if (!multiple) {
        hidden.value = person.value;
        return;
      }
      const list = chosenList(picker);
      const same = [...list.querySelectorAll("input")].find((el) => el.value === person.value);
      if (same) same.checked = true;
      else list.append(checkbox(picker, person, (added += 1)));
    },
  });
  const box = document.getElementById(id);
  const hint = document.getElementById(`${id}-hint`);
  if (box && hint) box.setAttribute("aria-describedby", `${hint.id} ${box.getAttribute("aria-describedby") || ""}`.trim());
}

document.querySelectorAll('[data-module="app-picker"]').forEach(enhancePicker);
