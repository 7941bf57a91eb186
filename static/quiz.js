// The quiz attempt page (quizzes/templates/quizzes/attempt.html). Its regions (header with
// status and time left, each question, the hand-in button) arrive pushed on the attempt's
// topic (quizzes/attempt_page.py): a save from another tab, an accommodation, the server's
// hand-in at the deadline and the grade show here live. This file autosaves each answer as
// it is typed or chosen (debounced), shows "Saved" per question and says it in a live
// region, counts down from the server's seconds-left (with the monotonic performance clock,
// so the browser's wall clock plays no part; reset by every pushed header), hands the
// attempt in after a confirmation once pending saves are done, and keeps a question being
// edited here from being overwritten by a pushed copy. One device holds an attempt
// (quizzes/attempt_holds.py): when the header names another holder, or a save is refused
// 409, this page says so and stops autosaving until this device opens it again. A save the
// server never acknowledged (no answer, or 5xx: a restart) shows "Not saved yet - retrying"
// and is re-sent with the latest value; a refusal (409, other 4xx) is final. On reconnect
// the topic's resync pushes the header again, which resets the countdown to the server's.
(function () {
  "use strict";
  var root = document.getElementById("quiz-attempt");
  if (!root || !document.getElementById("quiz-attempt-head")) return;
  var api = root.dataset.api;
  var device = root.dataset.device || "";
  var status = document.getElementById("quiz-status");
  var takeover = document.getElementById("quiz-takeover");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var timers = {}, inflight = {};
  var displaced = false, ended = false, endAt = null;
  // Strings through cwT (coursewire.js): in the page's language.
  var TAKEN = cwT("This attempt was opened on another device or browser, which now holds it: " +
    "continue there, or reload this page to continue here. Everything saved so far is kept.");

  function head() { return document.getElementById("quiz-attempt-head"); }
  function open() { return head().dataset.status === "in_progress"; }
  function editable() { return head().dataset.editable === "true" && !displaced && !ended; }
  function questions() { return root.querySelectorAll(".quiz-question"); }
  function headers() {
    return {"Content-Type": "application/json", "X-CSRF-Token": meta ? meta.content : ""};
  }
  function announce(text) { status.textContent = text; }
  function setState(fs, state, text) {
    var el = fs.querySelector(".save-state");
    el.dataset.state = state;
    el.textContent = text;
  }
  function answerOf(fs) {
    var kind = fs.dataset.kind;
    if (kind === "multiple_choice") {
      var chosen = fs.querySelector("input[type=radio]:checked");
      return chosen ? {choice: chosen.value} : null;
    }
    if (kind === "checkboxes") {
      return {choices: Array.prototype.map.call(
        fs.querySelectorAll("input[type=checkbox]:checked"), function (c) { return c.value; })};
    }
    if (kind === "numeric") {
      var v = fs.querySelector("input[name=value]").value.trim();
      return v === "" ? null : {value: v};
    }
    if (kind === "code") return {code: fs.querySelector("textarea").value};
    return {text: fs.querySelector("input[name=text]").value};
  }

  function stopSaving() {
    Object.keys(timers).forEach(function (q) { clearTimeout(timers[q]); delete timers[q]; });
  }

  function lock() {
    questions().forEach(function (fs) { fs.disabled = true; });
    var button = document.getElementById("quiz-submit");
    if (button) button.disabled = true;
  }
  // Another device holds the attempt: say so, stop autosaving, lock the questions here.
  function displace(message) {
    displaced = true;
    stopSaving();
    takeover.textContent = message || TAKEN;
    takeover.hidden = false;  // role="alert": read out once, so not repeated in the status
    lock();
  }
  // This device holds it again (it was opened here, e.g. in another tab of this browser).
  function restore() {
    displaced = false;
    takeover.hidden = true;
    takeover.textContent = "";
    if (head().dataset.editable === "true") {
      questions().forEach(function (fs) { fs.disabled = false; });
    }
  }
  function checkHolder() {
    var holder = head().dataset.holder || "";
    if (!device || !holder || !open()) return;
    if (holder !== device && !displaced) displace();
    else if (holder === device && displaced) restore();
  }

  function save(fs) {
    var q = fs.dataset.question;
    delete timers[q];
    if (!editable()) return Promise.resolve();
    var answer = answerOf(fs);
    if (answer === null) { setState(fs, "empty", ""); return Promise.resolve(); }
    var seq = (fs._seq = (fs._seq || 0) + 1);
    setState(fs, "saving", cwT("Saving…"));
    var done = fetch(api + "/answers/" + encodeURIComponent(q), {
      method: "PUT", credentials: "same-origin", headers: headers(),
      body: JSON.stringify({answer: answer}),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        var live = fieldset(q) || fs;
        if (seq !== fs._seq) return;  // a newer save of this question is on its way
        if (r.status < 500) delete retrying[q];
        if (r.ok) {
          setState(live, "saved", cwT("Saved"));
          announce(cwT("Answer %(number)s saved.", {number: live.dataset.number}));
          return;
        }
        // No acknowledgement (the server restarting or overloaded) is not the answer's
        // fault: send it again. A refusal is final: 409 (another device holds the
        // attempt) is never retried, nor a 4xx.
        if (r.status >= 500) { retryLater(live); return; }
        var why = body && body.error ? body.error.message : cwT("it was refused");
        setState(live, "error", cwT("Not saved: %(why)s", {why: why}));
        if (r.status === 409) { displace(why); return; }
        announce(cwT("Answer %(number)s was not saved: %(why)s", {number: live.dataset.number, why: why}));
        if (r.status === 422) timeUp();
      });
    }).catch(function () {
      if (seq === fs._seq) retryLater(fieldset(q) || fs);
    });
    inflight[q] = done;
    return done;
  }
  function cssq(q) { return q.replace(/["\\]/g, "\\$&"); }
  function fieldset(q) {  // the question as on the page now (pushed copies replace it)
    return root.querySelector('.quiz-question[data-question="' + cssq(q) + '"]');
  }

  // A save the server never acknowledged (no connection, the server gone or restarting)
  // stays on the page as "Not saved yet - retrying" and is sent again, with whatever the
  // student has typed by then, every few seconds and at once when the page's socket is live
  // again or the browser is back online: nothing typed is lost to a restart.
  var RETRY_MS = 3000, retrying = {};
  function retryLater(fs) {
    var q = fs.dataset.question;
    setState(fs, "retrying", cwT("Not saved yet - retrying"));
    if (!retrying[q]) {
      announce(cwT("Answer %(number)s is not saved yet: no connection. Retrying.", {number: fs.dataset.number}));
    }
    retrying[q] = true;
    clearTimeout(timers[q]);
    timers[q] = setTimeout(function () { save(fieldset(q) || fs); }, RETRY_MS);
  }
  function retryNow() {
    Object.keys(retrying).forEach(function (q) {
      var fs = fieldset(q);
      if (!fs || timers[q] === undefined || fs.querySelector(".save-state").dataset.state !==
          "retrying") return;  // already being sent, or typed again (its own save is due)
      clearTimeout(timers[q]);
      save(fs);
    });
  }
  var badge = document.getElementById("live-status");
  if (badge) {
    new MutationObserver(function () {
      if (badge.dataset.state === "live") retryNow();
    }).observe(badge, {attributes: true, attributeFilter: ["data-state"]});
  }
  window.addEventListener("online", retryNow);

  function schedule(fs, delay) {
    if (!editable()) return;
    var q = fs.dataset.question;
    clearTimeout(timers[q]);
    setState(fs, "pending", cwT("Not saved yet"));
    timers[q] = setTimeout(function () { save(fs); }, delay);
  }

  function onEdit(evt) {
    var fs = evt.target.closest && evt.target.closest(".quiz-question");
    if (!fs) return;
    var chosen = evt.target.type === "radio" || evt.target.type === "checkbox";
    schedule(fs, chosen ? 0 : 700);
  }
  root.addEventListener("input", onEdit);
  root.addEventListener("change", function (evt) {
    if (evt.target.type === "radio" || evt.target.type === "checkbox") onEdit(evt);
  });

  function flush() {
    Object.keys(timers).forEach(function (q) {
      clearTimeout(timers[q]);
      var fs = fieldset(q);
      if (fs) save(fs);
    });
    return Promise.all(Object.keys(inflight).map(function (q) { return inflight[q]; }));
  }

  // A pushed copy of a question must not undo what is being typed here: while this page
  // holds the attempt, a question with unsaved edits (or the focus) keeps its own DOM; its
  // save brings the server's copy level with it.
  function editedHere(fs) {
    if (!editable()) return false;
    var state = (fs.querySelector(".save-state") || {dataset: {}}).dataset.state;
    return state === "pending" || state === "saving" || state === "retrying" ||
      state === "error" ||
      fs.contains(document.activeElement);
  }
  document.addEventListener("htmx:before:swap", function (evt) {
    var tasks = evt.detail && evt.detail.tasks;
    if (!tasks) return;
    for (var i = tasks.length - 1; i >= 0; i--) {
      var target = tasks[i].target;
      if (target && target.classList && target.classList.contains("quiz-question") &&
          root.contains(target) && editedHere(target)) tasks.splice(i, 1);
    }
  });
  document.addEventListener("htmx:after:swap", function () { regionsChanged(); });

  function timeUp() {
    if (ended) return;
    // What was typed but not sent yet goes now, not lost: the server keeps an answer that
    // reached it before the deadline (this countdown, from the whole seconds left when the
    // page got them, ends within about a second of the server's; usually before it).
    var sending = editable() ? flush() : null;
    ended = true;
    stopSaving();
    lock();
    var said = cwT("Time is up. Your saved answers are being handed in.");
    announce(said);
    // The last save's "Answer N saved." comes after: say time is up again once it has,
    // unless an answer was refused (its "not saved" must stay said).
    if (sending) sending.then(function () {
      if (!root.querySelector('.save-state[data-state="error"]')) announce(said);
    });
    // The server hands the attempt in once its grace after the deadline is over
    // (COURSEWIRE_QUIZ_GRACE_SECONDS, 15 s by default) and that arrives pushed; without a
    // live connection, reload to see it (a reload before then comes back here).
    setTimeout(function () { if (open()) location.reload(); }, 20000);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var countdown = document.getElementById("quiz-countdown");
    if (!countdown || endAt === null || !open()) return;
    var left = Math.max(0, Math.round((endAt - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdown.textContent = (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
    countdown.dataset.left = String(left);
    if (left === 0) timeUp();
  }
  var shownLeft = null, wasOpen = open();
  function regionsChanged() {
    var countdown = document.getElementById("quiz-countdown");
    if (countdown && open()) {
      var left = parseInt(countdown.dataset.secondsLeft, 10);
      // A pushed header carries the seconds left when it was rendered: a moved deadline
      // (an accommodation) changes them; an unchanged one keeps the running count.
      if (left !== shownLeft) {
        // A header pushed later (a save, or the resync after a reconnect) carries fewer
        // seconds for the same deadline: only a deadline that really moved is announced.
        var newEnd = performance.now() + left * 1000;
        var moved = endAt === null || Math.abs(newEnd - endAt) > 2500;
        if (moved && shownLeft !== null && wasOpen) {
          announce(cwT("Your deadline was moved: %(left)s left.", {left: countdown.textContent}));
        }
        shownLeft = left;
        endAt = newEnd;
        if (left > 0 && ended && !displaced) {  // more time was given after time ran out
          ended = false;
          questions().forEach(function (fs) { fs.disabled = false; });
        }
      }
      tick();
    }
    if (open() && !wasOpen) {  // staff reopened it: answering goes on here
      ended = false;
      announce(cwT("Your attempt was reopened: you may change your answers until the new deadline."));
    }
    if (!open() && wasOpen) {
      stopSaving();
      ended = true;
      takeover.hidden = true;
      announce(head().dataset.status === "graded" ? cwT("Your attempt was graded.")
                                                   : cwT("Your attempt was handed in."));
    }
    wasOpen = open();
    root.dataset.status = head().dataset.status;  // for styles and tests: the page's state
    checkHolder();
    if (displaced || (ended && open())) lock();  // pushed copies come unlocked
  }
  regionsChanged();
  setInterval(tick, 1000);

  root.addEventListener("click", function (evt) {
    var submit = evt.target.closest && evt.target.closest("#quiz-submit");
    if (!submit || !editable()) return;
    if (!window.confirm(cwT("Hand in this attempt? You cannot change your answers afterwards."))) return;
    submit.disabled = true;
    announce(cwT("Handing in…"));
    flush().then(function () {
      return fetch(api + "/submit", {method: "POST", credentials: "same-origin",
                                      headers: headers()});
    }).then(function (r) {
      if (r.status === 409) {
        return r.json().then(function (b) { displace(b.error && b.error.message); });
      }
      if (r.ok || r.status === 422) {
        // The handed-in (and graded) attempt arrives pushed; reload if it does not.
        setTimeout(function () { if (open()) location.reload(); }, 5000);
        return;
      }
      submit.disabled = false;
      announce(cwT("The quiz was not handed in; try again."));
    }).catch(function () {
      submit.disabled = false;
      announce(cwT("No connection: the quiz was not handed in; try again."));
    });
  });
})();
