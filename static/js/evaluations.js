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

  // A group of alternative cases (set 26, tourism): the case chosen is scored, the
  // other is disabled and cleared, and the live totals are asked again.
  document.addEventListener("change", function (event) {
    var radio = event.target;
    var group = radio && radio.getAttribute && radio.getAttribute("data-case-of");
    if (!group || !radio.checked) {
      return;
    }
    document.querySelectorAll('[data-case-group="' + group + '"]').forEach(function (set) {
      var off = set.getAttribute("data-case") !== radio.value;
      set.disabled = off;
      set.classList.toggle("opacity-50", off);
      if (off) {
        set.querySelectorAll("input[type=radio]").forEach(function (input) {
          input.checked = false;
        });
      }
    });
  });

  // <button data-print> prints the page (minutes of a round).
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) {
      window.print();
    }
  });
})();
