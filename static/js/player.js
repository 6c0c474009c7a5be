/* Lanterne film page: HLS through hls.js where Media Source is available, the browser's own
 * HLS where it has it (Safari), the MP4 of the <video> element otherwise; and the live
 * processing status for the uploader. The page works without this file: the <video> plays
 * the MP4 and a meta refresh reloads the status. */
"use strict";

(function () {
  var video = document.querySelector("video[data-hls]");
  if (!video) return;
  var src = video.getAttribute("data-hls");
  if (window.Hls && window.Hls.isSupported()) {
    /* no worker: the Content-Security-Policy allows no blob: scripts */
    var hls = new window.Hls({ enableWorker: false, capLevelToPlayerSize: true });
    hls.on(window.Hls.Events.ERROR, function (ev, data) {
      if (!data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) hls.startLoad();
      else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else {
        hls.destroy();
        video.src = video.getAttribute("data-mp4") || "";
      }
    });
    hls.loadSource(src);
    hls.attachMedia(video);
    video.lanterneHls = hls;
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = src;
  }
})();

/* Processing status: polls the small JSON status document and reloads once the film is
 * ready or failed. Texts come from data-* attributes so they are translated with the page. */
(function () {
  var box = document.querySelector("[data-film-status]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-film-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".film-status-text");
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) refresh.parentNode.removeChild(refresh);
  function fill(tpl, vals) {
    return tpl.replace(/\{(\w+)\}/g, function (_, k) { return vals[k] !== undefined ? vals[k] : ""; });
  }
  function left(s) {
    if (s == null || s < 0) return "";
    var m = Math.floor(s / 60), r = Math.round(s % 60);
    return m ? m + " min " + (r < 10 ? "0" : "") + r + " s" : r + " s";
  }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (st) {
        if (!st) return setTimeout(tick, 5000);
        if (st.status !== box.getAttribute("data-state")) return location.reload();
        var pct = Math.max(0, Math.min(100, Math.round(st.progress || 0)));
        if (bar) { bar.value = pct; bar.textContent = pct + " %"; }
        if (text) {
          var tpl = st.eta_seconds != null ? box.getAttribute("data-msg-eta") : box.getAttribute("data-msg");
          text.textContent = fill(tpl || "{pct} %", { pct: pct, left: left(st.eta_seconds) });
        }
        setTimeout(tick, 2000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1000);
})();
