/* Lanterne: small progressive enhancements. Every page works without this file. */
"use strict";

/* Photo upload: drag and drop onto the form, then one request per photo to the JSON API
 * with a progress bar; without JavaScript the form posts the files as multipart. Texts come
 * from data-* attributes so they are translated with the page. */
(function () {
  var form = document.querySelector("form[data-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector('input[type="file"]');
  var alt = form.querySelector('input[name="alt"]');
  var csrf = form.querySelector('input[name="_csrf"]');
  var box = form.querySelector(".upload-progress");
  var bar = box && box.querySelector("progress");
  var status = box && box.querySelector(".upload-status");
  var zone = form.querySelector(".dropzone");
  var picked = null;

  function say(text) { if (status) status.textContent = text; }
  function fill(tpl, vals) {
    return tpl.replace(/\{(\w+)\}/g, function (_, k) { return vals[k] !== undefined ? vals[k] : ""; });
  }

  if (zone) {
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (!ev.dataTransfer || !ev.dataTransfer.files.length) return;
      picked = ev.dataTransfer.files;
      say(fill(form.dataset.msgPicked || "{n}", { n: picked.length }));
      if (box) box.hidden = false;
    });
  }
  if (input) input.addEventListener("change", function () { picked = null; });

  function problemText(xhr) {
    try {
      var p = JSON.parse(xhr.responseText);
      if (p.errors) for (var k in p.errors) return p.errors[k];
      return p.detail || p.title || String(xhr.status);
    } catch (e) {
      return String(xhr.status);
    }
  }

  form.addEventListener("submit", function (ev) {
    var files = picked || (input && input.files);
    if (!files || !files.length) return; /* the server answers with its message */
    ev.preventDefault();
    var list = Array.prototype.slice.call(files);
    var total = list.reduce(function (s, f) { return s + f.size; }, 0) || 1;
    var done = 0, failed = [];
    if (box) box.hidden = false;
    form.querySelector('button[type="submit"]').disabled = true;
    function next(i) {
      if (i >= list.length) {
        if (!failed.length) { window.location.reload(); return; }
        bar.value = 100;
        var p = document.createElement("div");
        p.className = "form-error";
        p.setAttribute("role", "alert");
        var ul = document.createElement("ul");
        failed.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ul.appendChild(li); });
        p.appendChild(ul);
        var a = document.createElement("a");
        a.href = window.location.pathname;
        a.textContent = form.dataset.msgReload || "↻";
        p.appendChild(a);
        box.appendChild(p);
        say(fill(form.dataset.msgDone || "", { ok: list.length - failed.length, n: list.length }));
        form.querySelector('button[type="submit"]').disabled = false;
        return;
      }
      var f = list[i];
      var fd = new FormData();
      fd.append("photo", f, f.name);
      if (alt && alt.value) fd.append("alt", alt.value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.upload);
      xhr.setRequestHeader("X-CSRF-Token", csrf ? csrf.value : "");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (bar) bar.value = Math.round(100 * (done + (e.lengthComputable ? e.loaded : 0)) / total);
      };
      xhr.onload = function () {
        if (xhr.status !== 201) failed.push(f.name + " : " + problemText(xhr));
        done += f.size;
        next(i + 1);
      };
      xhr.onerror = function () {
        failed.push(f.name + " : " + (form.dataset.msgNetwork || "network"));
        done += f.size;
        next(i + 1);
      };
      say(fill(form.dataset.msgSending || "{i}/{n}", { i: i + 1, n: list.length, name: f.name }));
      xhr.send(fd);
    }
    next(0);
  });
})();
