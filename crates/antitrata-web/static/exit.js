// The quick exit of every public page. The "Leave this site" link works without this script;
// with it, leaving also replaces this page in the tab's history (Back does not return to it),
// and the Escape key leaves the same way. Nothing else runs on the public site.
(function () {
  "use strict";
  function leave(event) {
    var link = document.getElementById("quick-exit");
    if (!link) {
      return;
    }
    if (event) {
      event.preventDefault();
    }
    window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "quick-exit") {
      leave(event);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      leave(event);
    }
  });
})();
