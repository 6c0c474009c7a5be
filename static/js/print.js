/* Lanterne: the "print or save as PDF" button of the yearly report. Without this file the
 * button stays hidden and the browser's own print command does the same. */
"use strict";
(function () {
  var b = document.querySelector(".print-button");
  if (!b || !window.print) return;
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
})();
