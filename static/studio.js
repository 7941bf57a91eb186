// The outline editor's keyboard and drag reordering, and its row menus. Both ways of
// reordering only submit the rows' own "Move up"/"Move down" forms (one place per post, the
// server's optimistic version check on each), so without this file the menu still does it all.
(function () {
  "use strict";

  function rowOf(el) { return el && el.closest ? el.closest(".studio-row[draggable]") : null; }
  function blockOf(row) { return row.parentElement.dataset.block; }
  function nodeRow(block) {
    var node = document.getElementById("studio-node-" + block);
    return node && node.querySelector(":scope > .studio-row");
  }
  function moveForm(block, direction) {
    var row = nodeRow(block);
    return row && row.querySelector('form.studio-move[data-direction="' + direction + '"]');
  }
  function region() { return document.querySelector(".studio-outline"); }

  // -- menus: one open at a time; Escape or a click elsewhere closes it -------------------
  function closeMenus(except) {
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("toggle", function (evt) {
    var menu = evt.target;
    if (!(menu instanceof HTMLDetailsElement) || !menu.matches(".row-menu") || !menu.open) return;
    closeMenus(menu);
  }, true);
  document.addEventListener("click", function (evt) {
    var menu = evt.target.closest("details.row-menu");
    if (!menu || evt.target.closest("summary")) closeMenus(menu);
  });

  // The outline is replaced whole on every edit, anyone's (pushed live): an open menu stays
  // open across that, with what was typed in it and the focus, unless it was this menu's own
  // form that was sent.
  var sent = null, reopen = null;
  document.addEventListener("submit", function (evt) {
    var menu = evt.target.closest && evt.target.closest("details.row-menu");
    sent = menu || null;
  }, true);
  document.addEventListener("htmx:before:swap", function () {
    var menu = document.querySelector("details.row-menu[open]");
    if (!menu || menu === sent) { reopen = null; return; }
    var focused = menu.contains(document.activeElement) ? document.activeElement : null;
    reopen = {block: menu.closest("[data-block]").dataset.block, values: [],
              focus: focused ? Array.prototype.indexOf.call(fieldsOf(menu), focused) : -1};
    fieldsOf(menu).forEach(function (field) { reopen.values.push(field.value); });
  });
  function fieldsOf(menu) { return menu.querySelectorAll("summary, input, select, button, a"); }
  document.addEventListener("htmx:after:settle", function () {
    var row = reopen && nodeRow(reopen.block), menu = row && row.querySelector("details.row-menu");
    if (!menu || menu.open) return;
    var state = reopen;
    reopen = null;
    menu.open = true;
    var fields = fieldsOf(menu);
    state.values.forEach(function (value, i) {
      if (fields[i] && fields[i].matches("input:not([type=hidden]), select")) fields[i].value = value;
    });
    if (fields[state.focus]) fields[state.focus].focus();
  });

  // -- keyboard: Alt+ArrowUp/Down moves the focused row; focus follows it ---------------
  var keepFocusOn = null;  // the block whose row gets focus back after the outline is swapped
  function refocus() {
    var row = keepFocusOn && nodeRow(keepFocusOn);
    if (!row || row.contains(document.activeElement)) return;
    var summary = row.querySelector("summary");
    if (summary) summary.focus();
  }
  document.addEventListener("htmx:after:settle", refocus);
  document.addEventListener("pointerdown", function () { keepFocusOn = null; });

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") {
      var open = evt.target.closest && evt.target.closest("details.row-menu[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
        evt.preventDefault();
      }
      return;
    }
    if (!evt.altKey || (evt.key !== "ArrowUp" && evt.key !== "ArrowDown")) return;
    var row = rowOf(evt.target);
    if (!row && keepFocusOn && evt.target === document.body) {
      // The outline was just swapped (a live frame) and the focus is on its way back to
      // the row being moved (refocus, at settle): the key is for that row, not lost.
      row = nodeRow(keepFocusOn);
    }
    if (!row) return;
    var block = blockOf(row), direction = evt.key === "ArrowUp" ? "up" : "down";
    if (!moveForm(block, direction)) return;  // the first or last row: the key's default
    evt.preventDefault();
    keepFocusOn = block;
    closeMenus(null);
    // Posted as a drag's move is (moveBy), not through the form's htmx trigger: a key
    // pressed just after a move, while live frames swap the outline, was sometimes lost.
    moveBy(block, direction, 1);
  });

  // -- drag and drop: among the rows of one parent; the moves are posted one by one -------
  var dragged = null;

  function siblingsOf(row) {
    return Array.prototype.slice.call(row.parentElement.parentElement.children);
  }
  function clearMarks() {
    document.querySelectorAll(".studio-row.drop-before, .studio-row.drop-after")
      .forEach(function (row) { row.classList.remove("drop-before", "drop-after"); });
  }
  function dropTarget(evt) {
    var row = rowOf(evt.target);
    if (!dragged || !row || row === dragged) return null;
    if (row.parentElement.parentElement !== dragged.parentElement.parentElement) return null;
    return row;
  }

  document.addEventListener("dragstart", function (evt) {
    var row = rowOf(evt.target);
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    evt.dataTransfer.effectAllowed = "move";
    evt.dataTransfer.setData("text/plain", blockOf(row));
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });
  document.addEventListener("dragover", function (evt) {
    var row = dropTarget(evt);
    if (!row) return;
    evt.preventDefault();
    evt.dataTransfer.dropEffect = "move";
    var nodes = siblingsOf(row), later = nodes.indexOf(row.parentElement) >
      nodes.indexOf(dragged.parentElement);
    clearMarks();
    row.classList.add(later ? "drop-after" : "drop-before");
  });
  document.addEventListener("drop", function (evt) {
    var row = dropTarget(evt);
    if (!row) return;
    evt.preventDefault();
    var nodes = siblingsOf(row);
    var steps = nodes.indexOf(row.parentElement) - nodes.indexOf(dragged.parentElement);
    var block = blockOf(dragged);
    clearMarks();
    moveBy(block, steps > 0 ? "down" : "up", Math.abs(steps));
  });

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Posts the block's move form `count` times, each with the draft version the previous
  // answer returned, then shows the last answer as htmx would have (region and message).
  // A refused step (a conflict: someone else edited) stops there and shows that answer.
  async function moveBy(block, direction, count) {
    var form = moveForm(block, direction), outline = region();
    if (!form || !outline || !count) return;
    var body = new URLSearchParams(new FormData(form)), text = "";
    for (var i = 0; i < count; i++) {
      var response = await fetch(form.getAttribute("hx-post"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRF-Token": csrf(), "HX-Request": "true"}});
      text = await response.text();
      var version = /data-draft-version="([^"]*)"/.exec(text);
      if (!response.ok || !version) break;
      body.set("expected_version", version[1]);
    }
    outline = region();
    if (outline && text) {
      keepFocusOn = block;
      await htmx.swap({sourceElement: outline, target: outline, swap: "outerHTML", text: text,
                       transition: false});
    }
  }
})();
