// The quiz attempt page (quizzes/templates/quizzes/attempt.html): autosave each answer as
// it is typed or chosen (debounced), show "Saved" per question and say it in a live region,
// count down from the server's seconds-left (measured with the monotonic performance
// clock, so the browser's wall clock plays no part; resynced from the server every 30 s),
// and hand the attempt in after a confirmation, once pending saves are done.
(function () {
  "use strict";
  var root = document.getElementById("quiz-attempt");
  if (!root) return;
  var api = root.dataset.api;
  var editable = root.dataset.editable === "true";
  var status = document.getElementById("quiz-status");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var timers = {}, inflight = {};

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

  function save(fs) {
    var q = fs.dataset.question;
    delete timers[q];
    var answer = answerOf(fs);
    if (answer === null) { setState(fs, "empty", ""); return Promise.resolve(); }
    var seq = (fs._seq = (fs._seq || 0) + 1);
    setState(fs, "saving", "Saving…");
    var done = fetch(api + "/answers/" + encodeURIComponent(q), {
      method: "PUT", credentials: "same-origin", headers: headers(),
      body: JSON.stringify({answer: answer}),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (seq !== fs._seq) return;  // a newer save of this question is on its way
        if (r.status < 500) delete retrying[q];
        if (r.ok) {
          setState(fs, "saved", "Saved");
          announce("Answer " + fs.dataset.number + " saved.");
        } else if (r.status >= 500) {
          retryLater(fs);  // the server is restarting or overloaded: not the answer's fault
        } else {
          var why = body && body.error ? body.error.message : "it was refused";
          setState(fs, "error", "Not saved: " + why);
          announce("Answer " + fs.dataset.number + " was not saved: " + why);
          if (r.status === 422) timeUp();
        }
      });
    }).catch(function () {
      if (seq === fs._seq) retryLater(fs);
    });
    inflight[q] = done;
    return done;
  }

  // A save the server never acknowledged (no connection, the server gone or restarting)
  // stays on the page as "Not saved yet - retrying" and is sent again, with whatever the
  // student has typed by then, every few seconds and at once when the page's socket is live
  // again or the browser is back online: nothing typed is lost to a restart.
  var RETRY_MS = 3000, retrying = {};
  function retryLater(fs) {
    var q = fs.dataset.question;
    setState(fs, "retrying", "Not saved yet - retrying");
    if (!retrying[q]) {
      announce("Answer " + fs.dataset.number + " is not saved yet: no connection. Retrying.");
    }
    retrying[q] = fs;
    clearTimeout(timers[q]);
    timers[q] = setTimeout(function () { save(fs); }, RETRY_MS);
  }
  function retryNow() {
    Object.keys(retrying).forEach(function (q) {
      var fs = retrying[q];
      if (timers[q] === undefined || fs.querySelector(".save-state").dataset.state !==
          "retrying") return;  // already being sent, or typed again (its own save is due)
      clearTimeout(timers[q]);
      save(fs);
    });
  }
  var badge = document.getElementById("live-status");
  if (badge && editable) {
    new MutationObserver(function () {
      if (badge.dataset.state === "live") retryNow();
    }).observe(badge, {attributes: true, attributeFilter: ["data-state"]});
  }
  window.addEventListener("online", retryNow);

  function schedule(fs, delay) {
    var q = fs.dataset.question;
    clearTimeout(timers[q]);
    setState(fs, "pending", "Not saved yet");
    timers[q] = setTimeout(function () { save(fs); }, delay);
  }

  if (editable) {
    var onEdit = function (evt) {
      var fs = evt.target.closest && evt.target.closest(".quiz-question");
      if (!fs) return;
      var chosen = evt.target.type === "radio" || evt.target.type === "checkbox";
      schedule(fs, chosen ? 0 : 700);
    };
    root.addEventListener("input", onEdit);
    root.addEventListener("change", function (evt) {
      if (evt.target.type === "radio" || evt.target.type === "checkbox") onEdit(evt);
    });
  }

  function flush() {
    Object.keys(timers).forEach(function (q) {
      clearTimeout(timers[q]);
      var fs = root.querySelector('.quiz-question[data-question="' + q.replace(/"/g, '\\"') + '"]');
      if (fs) save(fs);
    });
    return Promise.all(Object.keys(inflight).map(function (q) { return inflight[q]; }));
  }

  var ended = false;
  function timeUp() {
    if (ended) return;
    ended = true;
    root.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = true; });
    var button = document.getElementById("quiz-submit");
    if (button) button.disabled = true;
    announce("Time is up. Your saved answers are being handed in.");
    setTimeout(function () { location.reload(); }, 4000);
  }

  var countdown = document.getElementById("quiz-countdown");
  var clockId = "quiz-attempt-clock-" + root.dataset.attempt;
  var clock = document.getElementById(clockId);
  var endAt = null;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (!countdown || endAt === null) return;
    var left = Math.max(0, Math.round((endAt - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdown.textContent = (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s);
    countdown.dataset.left = String(left);
    if (left === 0) timeUp();
  }
  function setLeft(seconds) { endAt = performance.now() + seconds * 1000; tick(); }
  if (countdown && root.dataset.status === "in_progress") {
    setLeft(parseInt(countdown.dataset.secondsLeft, 10));
    setInterval(tick, 1000);
    setInterval(function () {  // an accommodation may have moved the deadline
      fetch(api, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.status !== "in_progress") { location.reload(); return; }
          if (d.seconds_left !== null && d.seconds_left !== undefined) setLeft(d.seconds_left);
        }).catch(function () {});
    }, 30000);
  }

  // The server pushes the clock (quiz.attempt.updated): staff extended the deadline, or
  // the attempt was handed in, graded or reopened, and then the page is loaded afresh.
  new MutationObserver(function () {
    var pushed = document.getElementById(clockId);
    if (!pushed || pushed === clock) return;
    var moved = !clock || pushed.dataset.deadline !== clock.dataset.deadline;
    clock = pushed;
    if (pushed.dataset.status !== root.dataset.status) { location.reload(); return; }
    countdown = document.getElementById("quiz-countdown");
    if (countdown && moved) {
      ended = false;
      setLeft(parseInt(countdown.dataset.secondsLeft, 10));
      announce("Your deadline was moved: " + countdown.textContent + " left.");
    }
  }).observe(root, {childList: true, subtree: true});

  var submit = document.getElementById("quiz-submit");
  if (submit) {
    submit.addEventListener("click", function () {
      if (!window.confirm("Hand in this attempt? You cannot change your answers afterwards.")) return;
      submit.disabled = true;
      announce("Handing in…");
      flush().then(function () {
        return fetch(api + "/submit", {method: "POST", credentials: "same-origin",
                                        headers: headers()});
      }).then(function (r) {
        if (r.ok || r.status === 422) { location.reload(); return; }
        submit.disabled = false;
        announce("The quiz was not handed in; try again.");
      }).catch(function () {
        submit.disabled = false;
        announce("No connection: the quiz was not handed in; try again.");
      });
    });
  }
})();
