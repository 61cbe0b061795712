// The contact form keeps a draft on the server while the operator types, so a closed tab, a
// crashed browser or a lost connection loses nothing; Ctrl+Enter sends the form from any field;
// ticking "immediate danger" shows the emergency number and what to do at once, before saving;
// a caller phone, once typed, is looked up and what is known of it shows under the field; the
// call timer counts on from the time the server says the call has lasted.
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form) { return; }
  var status = document.getElementById("draft-status");
  var danger = document.getElementById("immediate_danger");
  var help = document.getElementById("danger-help");
  if (danger && help) {
    danger.addEventListener("change", function () { help.hidden = !danger.checked; });
  }
  var timer = document.getElementById("call-timer");
  if (timer) {
    var shown = Date.now() - 1000 * Number(timer.getAttribute("data-elapsed") || 0);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    setInterval(function () {
      var s = Math.max(0, Math.floor((Date.now() - shown) / 1000));
      var h = Math.floor(s / 3600);
      var m = Math.floor(s % 3600 / 60);
      timer.textContent = (h > 0 ? h + ":" + two(m) : two(m)) + ":" + two(s % 60);
    }, 1000);
  }
  var phone = document.getElementById("caller_phone");
  var history = document.getElementById("caller-history");
  if (phone && history) {
    var looked = "";
    phone.addEventListener("change", function () {
      var number = phone.value.trim();
      if (number === looked) { return; }
      looked = number;
      if (!/[0-9]/.test(number)) { history.innerHTML = ""; return; }
      var body = new URLSearchParams();
      body.set("csrf", form.elements.csrf.value);
      body.set("phone", number);
      fetch(phone.getAttribute("data-history"), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok && response.status === 200 ? response.text() : "";
      }).then(function (html) {
        if (phone.value.trim() === number) { history.innerHTML = html; }
      }).catch(function () {});
    });
  }
  var last = new URLSearchParams(new FormData(form)).toString();
  var sending = false;
  function save() {
    var body = new URLSearchParams(new FormData(form)).toString();
    if (body === last || sending) { return; }
    sending = true;
    fetch(form.getAttribute("data-draft"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        last = body;
        if (status) { status.textContent = status.getAttribute("data-saved") || "✓"; }
      }
    }).catch(function () {}).then(function () { sending = false; });
  }
  setInterval(save, 3000);
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
