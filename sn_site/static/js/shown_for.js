// In the admin: a field marked data-shown-for="a b" and data-shown-by="kind" shows only while the
// field named "kind" in the same form (or the same row of an inline panel, "questions-0-kind")
// holds one of those values. A hidden field is disabled too, so it is not sent. Without this
// script every field shows, its help text says what it is for, and the server ignores the rest.
(function () {
  function controlFor(input) {
    var prefix = input.name.slice(0, input.name.lastIndexOf("-") + 1);
    return input.form && input.form.elements.namedItem(prefix + input.dataset.shownBy);
  }

  function update() {
    document.querySelectorAll("[data-shown-for]").forEach(function (input) {
      var control = controlFor(input);
      if (!control) return;
      var shown = control.value !== "" && input.dataset.shownFor.split(" ").indexOf(control.value) !== -1;
      var wrapper = input.closest(".w-panel__wrapper") || input.closest(".w-field__wrapper") || input.parentElement;
      wrapper.hidden = !shown;
      input.disabled = !shown;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select, input[type=radio]")) update();
  });
  // Wagtail's inline panels add rows (a new question) without a page load.
  new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  update();
})();
