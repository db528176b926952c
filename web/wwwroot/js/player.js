// The course player: the SCORM run-time API (scorm-again) for the package in the frame, wired to the content
// service. The launch (made by the server for the signed-in learner) is in the page as JSON: the standard, the
// activity's launch URL, the commit URL (both carry the launch's short-lived token) and the run-time data the SCO
// starts from (its bookmark, suspend data and status on a resume). Commits go to the server as flattened cmi
// elements: when the SCO commits, every 10 seconds after a change, and on finish (as a beacon if the page is going).
(function () {
  "use strict";
  var source = document.getElementById("launch-data");
  var frame = document.getElementById("sco-frame");
  var status = document.getElementById("player-status");
  if (!source || !frame) return;
  var launch = JSON.parse(source.textContent);

  var settings = {
    lmsCommitUrl: launch.commitUrl,
    dataCommitFormat: "flattened",
    autocommit: !launch.review,
    autocommitSeconds: 10,
    includeCommitSequence: true,
    // The commit of the content's finish says so: only then may the attempt be satisfied and closed.
    terminateCommitParam: "final",
    logLevel: 4
  };
  var scorm12 = launch.standard === "scorm12";
  var api = scorm12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromFlattenedJSON(launch.data, "");
  if (scorm12) window.API = api; else window.API_1484_11 = api;

  var finished = false;
  function say(text) { if (status) status.textContent = text; }
  function time() { return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }

  api.on(scorm12 ? "LMSCommit" : "Commit", function () { if (!launch.review) say("Progress saved at " + time() + "."); });
  api.on(scorm12 ? "LMSFinish" : "Terminate", function () {
    finished = true;
    say(launch.review ? "Review closed." : "Progress saved at " + time() + ". You can choose another part, or go back to the course.");
  });

  // A learner who leaves the page without the content finishing its session: finish it for them, so what they did is
  // kept (the library sends the last commit as a beacon while the page goes).
  window.addEventListener("pagehide", function () {
    if (finished) return;
    try {
      if (api.isInitialized()) {
        if (scorm12) api.LMSFinish(""); else api.Terminate("");
      }
    } catch (e) { /* the page is going; nothing more can be done */ }
  });

  // Content that never starts its session (it does not find or call the API: a broken package) would leave the
  // learner looking at a page that records nothing. After the launch's start time the player says so and reports it,
  // once, so that the administrators see the package among those failing to launch.
  if (launch.problemUrl && launch.startSeconds > 0) {
    setTimeout(function () {
      if (finished || api.isInitialized()) return;
      say("This content has not started after " + launch.startSeconds + " seconds, so your progress cannot be recorded. " +
        "It has been reported to the people who manage your learning; try again later, or choose another part.");
      fetch(launch.problemUrl, { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ kind: "notStarted", seconds: launch.startSeconds }), keepalive: true }).catch(function () { });
    }, launch.startSeconds * 1000);
  }

  frame.src = launch.launchUrl;
})();
