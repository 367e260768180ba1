// Evaluation pages: confirmations on single buttons and the print button of the minutes.
// No inline scripts: the Content-Security-Policy allows only files served by the portal.
(function () {
  "use strict";

  // <button data-confirm="…"> asks before that button submits (e.g. "Submit" beside
  // "Save draft" in the same form); portal.js does the same for whole forms.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <button data-print> prints the page (minutes of a round).
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) {
      window.print();
    }
  });
})();
