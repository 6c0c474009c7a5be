/* Lanterne film upload: the file goes to the tus endpoint (/api/v1/uploads) through
 * tus-js-client in chunks, with progress, speed, time left, pause and resume. An upload
 * interrupted by a lost connection or a closed tab resumes where it stopped: tus-js-client
 * remembers it (its fingerprint of the file) and asks the server how much it holds. Uploading
 * a film needs JavaScript; the page says so when it is off. */
"use strict";

(function () {
  var form = document.querySelector("form[data-tus]");
  if (!form || !window.tus || !window.tus.isSupported) return;
  var input = form.querySelector('input[type="file"]');
  var csrf = form.querySelector('input[name="_csrf"]');
  var box = form.querySelector(".upload-progress");
  var bar = box.querySelector("progress");
  var status = box.querySelector(".upload-status");
  var start = form.querySelector('button[type="submit"]');
  var pause = form.querySelector("button[data-pause]");
  var resume = form.querySelector("button[data-resume]");
  var upload = null;
  var last = null; /* {t, bytes} of the previous progress event, for the speed */
  var speed = 0;

  form.hidden = false;
  var off = document.querySelector(".needs-js");
  if (off) off.hidden = true;

  function fill(tpl, vals) {
    return tpl.replace(/\{(\w+)\}/g, function (_, k) { return vals[k] !== undefined ? vals[k] : ""; });
  }
  function say(text) { status.textContent = text; }
  function mb(n) { return (n / 1048576).toFixed(1); }
  function duration(s) {
    if (!isFinite(s) || s < 0) return "…";
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = Math.round(s % 60);
    if (h) return h + " h " + m + " min";
    return m ? m + " min " + r + " s" : r + " s";
  }
  function buttons(running) {
    pause.hidden = !running;
    resume.hidden = running;
    start.disabled = true;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = input.files && input.files[0];
    if (!file) { say(form.getAttribute("data-msg-pick")); box.hidden = false; return; }
    box.hidden = false;
    upload = new window.tus.Upload(file, {
      endpoint: form.getAttribute("data-endpoint"),
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRF-Token": csrf.value },
      metadata: {
        kind: "film",
        target: form.getAttribute("data-film"),
        filename: file.name,
        filetype: file.type || "application/octet-stream"
      },
      onProgress: function (sent, total) {
        var now = Date.now();
        if (last && now > last.t) {
          var inst = (sent - last.bytes) / ((now - last.t) / 1000);
          speed = speed ? 0.8 * speed + 0.2 * inst : inst;
        }
        last = { t: now, bytes: sent };
        var pct = total ? Math.floor((sent / total) * 100) : 0;
        bar.value = pct;
        bar.textContent = pct + " %";
        say(fill(form.getAttribute("data-msg-progress"), {
          pct: pct, sent: mb(sent), total: mb(total),
          speed: speed > 0 ? mb(speed) : "…",
          left: speed > 0 ? duration((total - sent) / speed) : "…"
        }));
      },
      onError: function (err) {
        buttons(false);
        var msg = err && err.originalResponse ? err.originalResponse.getBody() : "";
        try { var p = JSON.parse(msg); msg = p.detail || p.title || msg; } catch (e) { /* text */ }
        say(fill(form.getAttribute("data-msg-error"), { msg: msg || String(err) }));
      },
      onSuccess: function () {
        pause.hidden = true;
        resume.hidden = true;
        bar.value = 100;
        say(form.getAttribute("data-msg-done"));
        location.href = form.getAttribute("data-done-url");
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        say(form.getAttribute("data-msg-resuming"));
      }
      last = null;
      buttons(true);
      upload.start();
    });
  });
  pause.addEventListener("click", function () {
    if (!upload) return;
    upload.abort();
    buttons(false);
    say(form.getAttribute("data-msg-paused"));
  });
  resume.addEventListener("click", function () {
    if (!upload) return;
    last = null;
    buttons(true);
    upload.start();
  });
})();
