// "Select all" on django-import-export's export page, bound here because the Content-Security-Policy
// blocks the template's inline onchange handler. onSelectToggleChange comes from the library's
// export_selectable_fields.js, loaded before this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", onSelectToggleChange);
  });
});
