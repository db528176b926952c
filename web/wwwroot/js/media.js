// The media player: a video or audio of the learner's enrolment. It goes on from where they were, and reports to the
// content service what was played (the browser's own record of the stretches played, so skipping ahead counts
// nothing): every 10 seconds while playing, on pause and at the end, and as a beacon when the page goes.
(function () {
  "use strict";
  var source = document.getElementById("launch-data");
  var media = document.getElementById("media");
  var status = document.getElementById("player-status");
  if (!source || !media) return;
  var launch = JSON.parse(source.textContent);

  media.addEventListener("loadedmetadata", function () {
    if (launch.position > 1 && isFinite(media.duration) && launch.position < media.duration - 1) media.currentTime = launch.position;
  }, { once: true });

  function body() {
    var played = [];
    for (var i = 0; i < media.played.length; i++) played.push([media.played.start(i), media.played.end(i)]);
    return JSON.stringify({ position: media.currentTime, duration: isFinite(media.duration) ? media.duration : null, played: played });
  }

  function report() {
    fetch(launch.commitUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: body(), keepalive: true })
      .then(function (response) {
        if (status) status.textContent = response.ok
          ? "Progress saved at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + "."
          : "Your progress could not be saved: open the activity again from the course.";
      })
      .catch(function () { if (status) status.textContent = "Your progress could not be saved; it is tried again as you go on."; });
  }

  setInterval(function () { if (!media.paused) report(); }, 10000);
  media.addEventListener("pause", report);
  media.addEventListener("ended", report);
  window.addEventListener("pagehide", function () {
    if (media.played.length > 0 && navigator.sendBeacon) navigator.sendBeacon(launch.commitUrl, new Blob([body()], { type: "text/plain" }));
  });
})();
