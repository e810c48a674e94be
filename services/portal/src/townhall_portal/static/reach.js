// Progressive enhancement only: every page works without it.
// 1. Mentions: in a post's or a comment's body, typing "@" and the start of a name
//    suggests people from the directory (/people/suggest). The textarea keeps its
//    implicit textbox role; the suggestions are a listbox it points to with
//    aria-activedescendant, moved with the arrow keys, chosen with Enter or Tab, closed
//    with Escape; a polite live region says how many were found.
// 2. Copy buttons beside the read-only feed addresses.
(function () {
  "use strict";
  // The page's own words (the catalogue of its language), given by the server.
  var lang = document.documentElement.lang || undefined;
  var TEXT = JSON.parse(document.body.dataset.messages || "{}");
  function say(key, n) {
    var text = TEXT[key] || "";
    if (typeof text === "object") { text = text[new Intl.PluralRules(lang).select(n)] || text.other; }
    return text.replace("{n}", n === undefined ? "" : n.toLocaleString(lang));
  }
  var MENTION = /(^|\s)@([\w.\-À-ÿ]{1,64})$/;

  function enhance(area, index) {
    var listId = "mentions-" + index;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", say("hint"));
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    // A live region, not role=status: the page's own notice is its one status message.
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    var hint = document.createElement("p");
    hint.className = "meta";
    hint.id = listId + "-hint";
    hint.textContent = say("hint");
    area.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    status.insertAdjacentElement("afterend", hint);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);

    var people = [], active = -1, timer = null, asked = "";

    function close() {
      list.hidden = true;
      list.replaceChildren();
      people = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }
    function highlight(next) {
      var options = list.children;
      if (!options.length) { return; }
      active = (next + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      area.setAttribute("aria-activedescendant", options[active].id);
    }
    function choose(i) {
      var before = area.value.slice(0, area.selectionStart);
      var after = area.value.slice(area.selectionStart);
      var match = MENTION.exec(before);
      if (!match || !people[i]) { close(); return; }
      var start = before.length - match[2].length - 1;
      var inserted = "@" + people[i].id + " ";
      area.value = before.slice(0, start) + inserted + after;
      area.selectionStart = area.selectionEnd = start + inserted.length;
      close();
      area.focus();
    }
    function show(found) {
      people = found;
      list.replaceChildren.apply(list, found.map(function (person, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = person.display_name + " (@" + person.id + ")";
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the textarea
          choose(i);
        });
        return option;
      }));
      list.hidden = !found.length;
      status.textContent = found.length ? say("found", found.length) : "";
      active = -1;
      if (found.length) { highlight(0); } else { close(); }
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      var match = MENTION.exec(area.value.slice(0, area.selectionStart));
      if (!match) { close(); return; }
      var prefix = match[2];
      timer = setTimeout(function () {
        if (prefix === asked) { return; }
        asked = prefix;
        fetch("/people/suggest?prefix=" + encodeURIComponent(prefix), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {people: []}; })
          .then(function (data) { show(data.people || []); })
          .catch(function () { close(); });
      }, 200);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" || event.key === "Tab") {
        if (active >= 0) { event.preventDefault(); choose(active); }
      }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); asked = ""; });
  }

  function copyButtons() {
    document.querySelectorAll("input.copyable").forEach(function (input) {
      if (!navigator.clipboard) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = say("copy");
      button.setAttribute("aria-describedby", input.id);
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = say("copied");
        });
      });
      input.insertAdjacentElement("afterend", button);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form textarea[name='body']").forEach(enhance);
    copyButtons();
  });
})();
