// After a refused submit the server renders the page again with an error summary at the top of
// the form (templates/includes/error_summary.html) and each message beside its field. Move the
// focus to the summary, so that a screen reader reads it out and the keyboard starts there; on a
// page with no summary (the ledger's filters), to the first field in error. Without JavaScript
// the summary and its links are all still there.
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  var target = summary || document.querySelector('[aria-invalid="true"]');
  if (target) {
    target.focus(); // scrolls it into view when it is not
  }

  // A summary link jumps to its field; browsers only scroll to it, so also focus it, and show
  // its label above it (a fragment link would put the input at the very top, its label hidden).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector('label[for="' + field.id + '"]');
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
