// The forum moderation queue under a group filter (?group=): the queue is pushed to every
// TA of the course alike, so items from other groups' students that arrive live are hidden
// here, as a reload would not list them. An item without data-group (its author is
// anonymous to staff) shows in every view, as on the server (forum.queries.QueueItem).
(function () {
  "use strict";
  function apply() {
    document.querySelectorAll("[data-group-filter]").forEach(function (box) {
      var groups = JSON.parse(box.getAttribute("data-group-filter"));
      box.querySelectorAll("li.modq-item").forEach(function (li) {
        var group = li.getAttribute("data-group");
        li.hidden = group !== null && groups.indexOf(group) < 0;
      });
    });
  }
  function watch() {
    apply();
    document.querySelectorAll("[data-group-filter]").forEach(function (box) {
      new MutationObserver(apply).observe(box, {childList: true, subtree: true});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
