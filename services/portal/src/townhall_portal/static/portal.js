// Progressive enhancement only: every page works without it.
// Type-ahead: fill the search box's datalist from the portal's /search/suggest.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.querySelector("input[data-suggest]");
    if (!input || !input.list) { return; }
    var list = input.list, timer = null, last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) { return; }
        last = q;
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
          .then(function (data) {
            list.replaceChildren.apply(list, (data.suggestions || []).map(function (title) {
              var option = document.createElement("option");
              option.value = title;
              return option;
            }));
          })
          .catch(function () { /* type-ahead is a convenience; the form still works */ });
      }, 150);
    });
  });
})();

// The browser's time zone: kept in a cookie so times are shown in it, and sent with every
// form that takes a time (without JavaScript, the zone the page names is used).
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  if (document.cookie.indexOf("townhall_tz=" + encodeURIComponent(zone)) === -1) {
    document.cookie = "townhall_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-time-zone]").forEach(function (input) { input.value = zone; });
  });
})();

// The audience picker's running total: updated as groups are ticked (the server says the
// same when the form comes back, so it holds without JavaScript).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var total = document.getElementById("audience-total");
    if (!total) { return; }
    var boxes = document.querySelectorAll(".audience-picker input[type=checkbox][data-members]");
    function update() {
      var n = 0;
      boxes.forEach(function (box) { if (box.checked) { n += parseInt(box.dataset.members, 10) || 0; } });
      var lang = document.documentElement.lang || undefined;
      var forms = JSON.parse(total.dataset.plurals);
      var form = forms[new Intl.PluralRules(lang).select(n)] || forms.other;
      total.textContent = n > 0 ? form.replace("{n}", n.toLocaleString(lang)) : total.dataset.templateNone;
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
  });
})();

// Focus kept after an action: the page a form led to puts focus on what it says about it
// (the notice of what was done, the first field refused, or the element its address
// names, such as the Like just pressed), not back at the top of the page. Without
// JavaScript the address's #fragment still scrolls there and Tab continues from it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus]") ||
      document.querySelector("main [aria-invalid=true]") ||
      document.querySelector(".refused[role=alert]");
    if (!target && location.hash.length > 1) {
      target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    }
    if (!target) { return; }
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  });
})();
