// Search as you type: suggestions under the search box (the ARIA combobox pattern).
// Progressive enhancement: without this script, or without JavaScript, the form works the
// same; nothing here is needed to search. Text is set with textContent, never as HTML.
(() => {
  "use strict";
  const form = document.querySelector('form[role="search"]');
  const input = form && form.querySelector('input[name="q"]');
  if (!input || !form.dataset.suggest || !window.fetch) return;
  const list = document.createElement("ul");
  list.id = "suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  input.parentNode.insertBefore(list, input.nextSibling);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");
  const kinds = {official: "Official", title: "Page", word: "Search"};
  let items = [];
  let active = -1;
  let timer = null;
  let pending = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.from(list.children).forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === index));
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", "suggestion-" + index);
  }

  function choose(index) {
    const item = items[index];
    if (item) window.location.assign(item.url);
  }

  function show(suggestions) {
    items = suggestions;
    list.textContent = "";
    suggestions.forEach((item, index) => {
      const option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = kinds[item.kind] || item.kind;
      option.append(kind, document.createTextNode(" " + item.text));
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(index); });
      list.append(option);
    });
    active = -1;
    if (suggestions.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value;
    if (text.trim().length < 2) { close(); return; }
    timer = setTimeout(() => {
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(form.dataset.suggest + "?q=" + encodeURIComponent(text), {signal: pending.signal})
        .then((response) => (response.ok ? response.json() : {suggestions: []}))
        .then((data) => { if (input.value === text) show(data.suggestions || []); })
        .catch(() => {});
    }, 120);
  });

  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active - 1 + items.length) % items.length);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", () => setTimeout(close, 150));
})();
