// The admin's autocomplete fields (select2) render a combobox named only by its current value, which is empty
// on a new object: screen readers announce a nameless field. Name each combobox by its field's <label>.
(function () {
  "use strict";
  function nameComboboxes(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      if (box.dataset.oasNamed) { return; }
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      if (!select || !select.id) { return; }
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (!label) { return; }
      if (!label.id) { label.id = select.id + "-label"; }
      var current = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", current ? label.id + " " + current : label.id);
      // The rendered value inside is a read-only textbox of its own: it needs the name too.
      var rendered = box.querySelector("[role=textbox]");
      if (rendered) { rendered.setAttribute("aria-labelledby", label.id); }
      box.dataset.oasNamed = "1";
    });
  }
  function start() {
    nameComboboxes(document);
    new MutationObserver(function () { nameComboboxes(document); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
