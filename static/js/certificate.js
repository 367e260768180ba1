// The certificate page's print button (no inline script under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest(".js-print")) {
    window.print();
  }
});
