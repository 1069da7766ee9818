// The /check page: walks the form step by step and fills in what the browser can measure.
// Nothing here is recorded or sent except the hidden form fields (results, never picture or sound).
"use strict";
(function () {
  var html = document.documentElement;
  html.classList.remove("nojs");
  html.classList.add("js");
  var form = document.getElementById("check-form");
  if (!form) { return; }
  var ja = html.lang === "ja";
  function field(name) { return form.elements.namedItem(name); }
  function set(name, value) { var f = field(name); if (f) { f.value = String(value); } }
  function say(id, text, good) {
    var el = document.getElementById(id);
    el.textContent = text;
    el.className = "status " + (good ? "ok" : "bad");
  }
  set("measured", "1");
  // An iPad in desktop-website mode says "Macintosh" but has a touch screen: it is not a PC.
  if ((navigator.maxTouchPoints || 0) > 1 && /Macintosh/.test(navigator.userAgent)) {
    var pc = document.getElementById("pc-note");
    if (pc) { pc.hidden = true; }
  }
  set("touch", Math.min(navigator.maxTouchPoints || 0, 64));

  // Steps: only the first is shown; "Next" reveals the following one.
  var steps = Array.prototype.slice.call(document.querySelectorAll(".step"));
  steps.forEach(function (s, i) { if (i > 0) { s.classList.add("later"); } });
  var calm = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  document.querySelectorAll("button[data-next]").forEach(function (b) {
    b.addEventListener("click", function () {
      var next = document.getElementById(b.getAttribute("data-next"));
      if (b.getAttribute("data-next") === "step2" && !seekerLooksRight()) { return; }
      if (b.getAttribute("data-next") === "step4") {
        document.getElementById("step5").classList.remove("later");
      }
      next.classList.remove("later");
      // Glides to the next step, unless the phone is set to reduce motion (WCAG 2.3.3): then it jumps.
      next.scrollIntoView({behavior: calm ? "auto" : "smooth", block: "start"});
      var h = next.querySelector("h2");
      if (h) { h.setAttribute("tabindex", "-1"); h.focus({preventScroll: true}); }
      if (b.getAttribute("data-next") === "step3") { stopMedia(); measureNetwork(); }
    });
  });

  // The job-seeker number, loosely (the server decides): 5 digits, a hyphen-like mark, 1-8 digits, or 13 digits.
  function seekerLooksRight() {
    var input = document.getElementById("seeker_no");
    var v = (input.value || "").normalize("NFKC").replace(/\s+/g, "").replace(/[\u2010-\u2015\u2212\u30fc\uff0d\uff70\ufe63\u2043\u02d7\u2796\u301c\uff5e~]/g, "-");
    var ok = /^(\d{5}-\d{1,8}|\d{13})$/.test(v);
    document.getElementById("seeker-error").hidden = ok;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    if (!ok) { input.focus(); }
    return ok;
  }

  // OS version: User-Agent Client Hints where the browser has them (Chrome, Edge, Samsung Internet).
  if (navigator.userAgentData && navigator.userAgentData.getHighEntropyValues) {
    navigator.userAgentData.getHighEntropyValues(["platformVersion", "model"]).then(function (v) {
      set("ch_platform", v.platform || "");
      set("ch_platform_version", v.platformVersion || "");
      set("ch_model", (v.model || "").slice(0, 40));
    }).catch(function () { /* no hints: the server reads the User-Agent */ });
  }

  // Camera and microphone: a live preview and a level meter, nothing recorded.
  var stream = null, audioCtx = null, peak = 0;
  function stopMedia() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (audioCtx) { audioCtx.close(); audioCtx = null; }
  }
  function mediaError(err) {
    var name = (err && err.name) || "Error";
    stopMedia();
    var state = (name === "NotAllowedError" || name === "SecurityError") ? "denied"
      : (name === "NotFoundError" || name === "OverconstrainedError") ? "none" : "error";
    set("cam", state); set("mic", state);
    set("cam_error", name.replace(/[^A-Za-z]/g, "").slice(0, 40));
    set("mic_error", name.replace(/[^A-Za-z]/g, "").slice(0, 40));
    document.getElementById("denied-help").hidden = state !== "denied";
    say("media-status", state === "denied" ? (ja ? "カメラ・マイクが許可されていません。" : "Camera and microphone are blocked.")
      : (ja ? "カメラ・マイクを確認できませんでした（" : "Could not check the camera and microphone (") + name + (ja ? "）" : ")"), false);
  }
  function meter(s) {
    if (!audioCtx || !s.getAudioTracks().length) { return; }
    // Safari starts an AudioContext "suspended" unless a tap resumes it.
    if (audioCtx.state === "suspended") { audioCtx.resume(); }
    var src = audioCtx.createMediaStreamSource(s), an = audioCtx.createAnalyser();
    an.fftSize = 1024;
    src.connect(an);
    var buf = new Uint8Array(an.fftSize), el = document.getElementById("level");
    (function tick() {
      if (!audioCtx) { return; }
      an.getByteTimeDomainData(buf);
      var max = 0;
      for (var i = 0; i < buf.length; i++) { max = Math.max(max, Math.abs(buf[i] - 128)); }
      var level = Math.min(100, Math.round(max * 100 / 128));
      el.value = level; el.textContent = String(level);
      if (level > peak) { peak = level; set("mic_level", peak); }
      if (peak >= 2) { set("mic", "ok"); }
      requestAnimationFrame(tick);
    })();
  }
  document.getElementById("media-button").addEventListener("click", function () {
    // Made here, inside the tap, so that iOS lets it run (see meter()).
    var Ctx = window.AudioContext || window.webkitAudioContext;
    stopMedia();
    peak = 0;
    if (Ctx) { audioCtx = new Ctx(); }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      mediaError({name: "NotSupportedError"}); return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "user"}, audio: true}).then(function (s) {
      stream = s;
      document.getElementById("media").hidden = false;
      document.getElementById("denied-help").hidden = true;
      var v = document.getElementById("preview");
      v.srcObject = s;
      var live = s.getVideoTracks().some(function (t) { return t.readyState === "live"; });
      set("cam", live ? "ok" : "none");
      set("mic", s.getAudioTracks().length ? "ok" : "none");
      set("mic_level", 0);
      meter(s);
      say("media-status", ja ? "カメラとマイクにつながりました。映像が見えて、声でバーが動けば大丈夫です。"
        : "Camera and microphone connected. If you see yourself and the bar moves, all is well.", true);
    }).catch(mediaError);
  });

  // Connection: latency and download speed to this service, then Zoom's web endpoints.
  function timed(url, opts, ms) {
    var ctl = new AbortController(), t0 = performance.now();
    var timer = setTimeout(function () { ctl.abort(); }, ms);
    opts.signal = ctl.signal; opts.cache = "no-store";
    return fetch(url, opts).then(function (r) {
      return (opts.mode === "no-cors" ? Promise.resolve(r) : r.arrayBuffer()).then(function (b) {
        clearTimeout(timer);
        return {ms: performance.now() - t0, bytes: b && b.byteLength ? b.byteLength : 0};
      });
    }, function (e) { clearTimeout(timer); throw e; });
  }
  var measuring = null;
  function measureNetwork() {
    if (measuring) { return measuring; }
    say("net-status", ja ? "確認しています…" : "Checking…", true);
    var rtts = [];
    function ping(n) {
      if (n === 0) { return Promise.resolve(); }
      return timed("/api/v1/speedtest?bytes=0", {}, 5000).then(function (r) { rtts.push(r.ms); return ping(n - 1); });
    }
    measuring = ping(3).then(function () {
      rtts.sort(function (a, b) { return a - b; });
      set("rtt_ms", Math.round(rtts[1]));
      return timed("/api/v1/speedtest?bytes=200000", {}, 20000);
    }).then(function (r) {
      set("down_kbps", Math.round(r.bytes * 8 / Math.max(r.ms, 1)));
    }).catch(function () { /* left empty: the report says "not measured" */ }).then(function () {
      var probes = Array.prototype.map.call(form.querySelectorAll("input[data-url]"), function (input) {
        return timed(input.getAttribute("data-url"), {mode: "no-cors"}, 8000).then(
          function () { input.value = "ok"; }, function () { input.value = "fail"; });
      });
      return Promise.all(probes);
    }).then(function () {
      var zoomOk = Array.prototype.every.call(form.querySelectorAll("input[data-url]"), function (i) { return i.value === "ok"; });
      var rtt = field("rtt_ms").value, kbps = field("down_kbps").value;
      var speed = kbps === "" ? "- kbps" : (+kbps >= 10000 ? Math.floor(+kbps / 1000) + " Mbps (" + kbps + " kbps)" : kbps + " kbps");
      say("net-status", (ja ? "応答 " : "Latency ") + (rtt || "-") + " ms, " + (ja ? "下り " : "down ") + speed + ", Zoom: "
        + (zoomOk ? (ja ? "接続できました" : "reachable") : (ja ? "接続できません" : "not reachable")), zoomOk && rtt !== "");
    });
    return measuring;
  }
  document.getElementById("net-button").addEventListener("click", function () { measuring = null; measureNetwork(); });

  // Sending: make sure the measurements have finished, then post the form as usual.
  form.addEventListener("submit", function (ev) {
    if (form.dataset.ready === "1") { stopMedia(); return; }
    ev.preventDefault();
    // Every question needs an answer ("don't know" is one): point at the first one left open.
    var open = Array.prototype.filter.call(form.querySelectorAll("fieldset.q"), function (fs) {
      var radios = fs.querySelectorAll("input[type=radio]");
      return radios.length && !Array.prototype.some.call(radios, function (r) { return r.checked; });
    });
    form.querySelectorAll(".missing").forEach(function (m) { m.remove(); });
    if (open.length) {
      var msg = document.createElement("p");
      msg.className = "missing error";
      msg.setAttribute("role", "alert");
      msg.textContent = ja ? "この質問に答えてください（わからない場合は「わからない」）。"
        : "Please answer this question (or choose \"Don't know\").";
      open[0].appendChild(msg);
      open[0].scrollIntoView({block: "center"});
      open[0].querySelector("input").focus({preventScroll: true});
      return;
    }
    // form.submit() fires no second submit event (requestSubmit() from a promise did not navigate in Chromium).
    measureNetwork().then(function () { form.dataset.ready = "1"; stopMedia(); form.submit(); });
  });
})();
