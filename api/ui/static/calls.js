// The calls page: every call, live from /rest-api/events, each with a muted preview (WHEP) and
// its actions. The event stream carries the whole call object on every change; pushes are
// listed from /rest-api/push/find_all.
"use strict";
const calls = new Map(); // callId → {call, el, player, since, ended}
const grid = document.getElementById("calls");
const tpl = document.getElementById("card");

const ENDED = new Set(["FINISH", "FAILED", "BUSY"]);
const LIVE = new Set(["ESTABLISHED", "HOLD"]);
const WORDS = {
  PENDING: "starting", TRYING: "calling…", RING: "ringing", SESSION_PROGRESS: "early media",
  ESTABLISHED: "live", HOLD: "on hold", BUSY: "busy", FAILED: "failed", FINISH: "ended",
};
const RTMP_WORDS = {
  RTMP_STREAM_WAIT: "RTMP connecting", RTMP_STREAM_ACTIVE: "RTMP live",
  RTMP_CONNECTION_LOST: "RTMP reconnecting", RTMP_CONNECTION_FAILED: "RTMP failed",
};
const SIP_WORDS = {
  404: "the callee does not exist", 408: "nobody answered in time", 480: "the callee is not available",
  486: "the callee is busy", 487: "the call was cancelled", 488: "the callee accepts none of our codecs",
  500: "the callee's server failed", 503: "the callee's server is unavailable", 603: "the callee declined",
};

document.querySelectorAll(".host").forEach((e) => (e.textContent = location.host));

async function api(path, body) {
  const res = await fetch("/rest-api" + path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
  });
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try { msg = JSON.parse(text).message || text; } catch (_) {}
    throw new Error(msg || res.statusText);
  }
  return text ? JSON.parse(text) : null;
}

function codecsOf(sdp) {
  if (!sdp) return [];
  const names = [];
  for (const m of sdp.matchAll(/a=rtpmap:\d+ ([A-Za-z0-9-]+)\/(\d+)/g)) {
    const n = m[1].toUpperCase();
    if (!["TELEPHONE-EVENT", "CN", "RTX", "RED", "ULPFEC"].includes(n) && !names.includes(n)) names.push(n);
  }
  return names;
}

function fmtDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
}

function why(c) {
  if (c.reason) return c.reason;
  if (c.sipStatus && SIP_WORDS[c.sipStatus]) return SIP_WORDS[c.sipStatus];
  return "";
}

function chip(text, cls, title) {
  const s = document.createElement("span");
  s.className = "chip " + (cls || "");
  s.textContent = text;
  if (title) s.title = title;
  return s;
}

function upsert(c) {
  let e = calls.get(c.callId);
  if (!e) {
    e = { call: c, el: tpl.content.firstElementChild.cloneNode(true), since: Date.now() };
    wire(e);
    calls.set(c.callId, e);
    grid.prepend(e.el);
  }
  const wasLive = LIVE.has(e.call.status);
  e.call = c;
  if (LIVE.has(c.status) && !wasLive) e.since = Date.now();
  if (ENDED.has(c.status) && !e.ended) {
    e.ended = Date.now();
    stopPreview(e);
    setTimeout(() => remove(c.callId), 30000); // long enough to read why
  }
  render(e);
  summarize();
}

function remove(id) {
  const e = calls.get(id);
  if (!e) return;
  stopPreview(e);
  e.el.remove();
  calls.delete(id);
  summarize();
}

function render(e) {
  const c = e.call, el = e.el;
  const stream = c.streamName || c.callId;
  el.dataset.callId = c.callId;
  el.dataset.status = c.status;
  el.querySelector(".stream").textContent = stream;
  el.querySelector(".who").textContent = (c.callee || "?") + " · " + c.callId;
  const st = el.querySelector(".badge.status");
  st.textContent = WORDS[c.status] || c.status;
  st.className = "badge status s-" + c.status.toLowerCase();
  el.querySelector(".open").href = "/play/" + encodeURIComponent(stream) + location.search;
  const chips = el.querySelector(".chips");
  chips.replaceChildren();
  chips.append(chip(c.status, "s-" + c.status.toLowerCase(), "status"));
  if (c.sipStatus) chips.append(chip("SIP " + c.sipStatus, "", "sipStatus"));
  if (c.rtmpStreamStatus) chips.append(chip(RTMP_WORDS[c.rtmpStreamStatus] || c.rtmpStreamStatus,
    "r-" + c.rtmpStreamStatus.toLowerCase(), c.rtmpUrl ? c.rtmpUrl + "/" + (c.rtmpStream || "") : "rtmpStreamStatus"));
  const codecs = codecsOf(c.sdp);
  for (const n of codecs.length ? codecs : e.codecs || []) chips.append(chip(n, "codec", "codec"));
  const r = el.querySelector(".reason");
  const text = why(c);
  r.hidden = !(text && (ENDED.has(c.status) || c.rtmpStreamStatus === "RTMP_CONNECTION_FAILED" || c.rtmpStreamStatus === "RTMP_CONNECTION_LOST"));
  r.textContent = text;
  el.querySelectorAll(".actions .btn, .keypad .btn").forEach((b) => (b.disabled = ENDED.has(c.status)));
  el.querySelector(".keypad-btn").disabled = c.status !== "ESTABLISHED";
  if (LIVE.has(c.status) && !e.player && !e.starting && !e.ended) startPreview(e);
  tick(e);
}

function tick(e) {
  const c = e.call;
  let text = "";
  if (LIVE.has(c.status)) text = fmtDuration(Date.now() - e.since);
  else if (e.ended) text = "ended";
  e.el.querySelector(".duration").textContent = text;
}

async function startPreview(e) {
  e.starting = true;
  const el = e.el, video = el.querySelector("video"), ph = el.querySelector(".placeholder");
  const phText = el.querySelector(".ph-text");
  try {
    e.player = await playWHEP(video, e.call.streamName || e.call.callId, (state, p) => {
      if (state === "tracks") {
        const onlyAudio = !p.kinds.has("video");
        ph.hidden = !onlyAudio;
        el.classList.toggle("audio-only", onlyAudio);
        phText.textContent = "audio only";
      }
      if (state === "connected") setTimeout(() => readCodecs(e), 1000);
      if (state === "failed" || state === "closed") {
        stopPreview(e);
        if (!e.ended) setTimeout(() => LIVE.has(e.call.status) && !e.player && startPreview(e), 2000);
      }
    });
  } catch (err) {
    phText.textContent = err.message;
    if (!e.ended) setTimeout(() => { if (LIVE.has(e.call.status) && !e.player) startPreview(e); }, 2000);
  } finally {
    e.starting = false;
  }
}

// readCodecs learns the call's codecs from what the preview receives: sipcast passes them
// through, so they are the device's.
async function readCodecs(e) {
  if (!e.player) return;
  const names = [];
  (await e.player.pc.getStats()).forEach((s) => {
    if (s.type === "codec" && s.mimeType) {
      const n = s.mimeType.split("/")[1].toUpperCase();
      if (!names.includes(n)) names.push(n);
    }
  });
  e.codecs = names;
  render(e);
}

function stopPreview(e) {
  if (e.player) e.player.close();
  e.player = null;
}

function showError(e, err) {
  const box = e.el.querySelector(".error");
  box.textContent = err.message || String(err);
  box.hidden = false;
  setTimeout(() => (box.hidden = true), 6000);
}

function wire(e) {
  const el = e.el;
  el.querySelector(".hangup").onclick = () =>
    api("/call/terminate", { callId: e.call.callId }).catch((err) => showError(e, err));
  const keypad = el.querySelector(".keypad"), keys = el.querySelector(".keys"), digits = el.querySelector(".digits");
  for (const k of "123456789*0#") {
    const b = document.createElement("button");
    b.className = "key";
    b.textContent = k;
    b.onclick = () => api("/call/send_dtmf", { callId: e.call.callId, dtmf: k }).catch((err) => showError(e, err));
    keys.append(b);
  }
  el.querySelector(".keypad-btn").onclick = () => (keypad.hidden = !keypad.hidden);
  el.querySelector(".send-dtmf").onclick = () => {
    if (!digits.value) return;
    api("/call/send_dtmf", { callId: e.call.callId, dtmf: digits.value })
      .then(() => (digits.value = "")).catch((err) => showError(e, err));
  };
  const form = el.querySelector(".push-form");
  el.querySelector(".push-btn").onclick = () => (form.hidden = !form.hidden);
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const body = { streamName: e.call.streamName, rtmpUrl: form.querySelector(".push-url").value };
    api("/push/startup", body).then(() => { form.hidden = true; refreshPushes(); }).catch((err) => showError(e, err));
  };
}

// Pushes of every call, refreshed every 3 s while calls are listed.
async function refreshPushes() {
  if (!calls.size) return;
  let pushes = [];
  try { pushes = (await api("/push/find_all", {})) || []; } catch (_) { return; }
  for (const e of calls.values()) {
    const box = e.el.querySelector(".pushes");
    const mine = pushes.filter((p) => p.callId === e.call.callId);
    box.replaceChildren(...mine.map((p) => pushRow(e, p)));
  }
}

function pushRow(e, p) {
  const row = document.createElement("div");
  row.className = "push";
  const label = document.createElement("span");
  label.className = "push-target";
  label.textContent = "⇪ " + p.rtmpUrl + "/" + p.publishedName;
  label.title = p.reason || p.rtmpStreamStatus;
  row.append(label, chip(RTMP_WORDS[p.rtmpStreamStatus] || p.rtmpStreamStatus, "r-" + (p.rtmpStreamStatus || "").toLowerCase()));
  const mute = document.createElement("button");
  mute.className = "btn small";
  mute.textContent = p.muted ? "Unmute" : "Mute";
  mute.onclick = () => api(p.muted ? "/push/unmute" : "/push/mute", { mediaSessionId: p.mediaSessionId })
    .then(refreshPushes).catch((err) => showError(e, err));
  const stop = document.createElement("button");
  stop.className = "btn small danger";
  stop.textContent = "Stop";
  stop.onclick = () => api("/push/terminate", { mediaSessionId: p.mediaSessionId })
    .then(refreshPushes).catch((err) => showError(e, err));
  row.append(mute, stop);
  return row;
}

function summarize() {
  let live = 0, other = 0;
  for (const e of calls.values()) LIVE.has(e.call.status) ? live++ : ENDED.has(e.call.status) || other++;
  document.getElementById("summary").textContent =
    live + (live === 1 ? " live call" : " live calls") + (other ? " · " + other + " starting" : "");
  document.getElementById("empty").hidden = calls.size > 0;
}

function connect() {
  const es = new EventSource(withToken("/rest-api/events"));
  const conn = document.getElementById("conn"), connText = document.getElementById("connText");
  es.onopen = () => { conn.classList.add("on"); connText.textContent = "live"; load(); };
  es.onerror = () => { conn.classList.remove("on"); connText.textContent = "reconnecting"; };
  es.addEventListener("CallStatusEvent", (m) => {
    try { upsert(JSON.parse(m.data)); } catch (_) {}
  });
}

async function load() {
  try {
    const list = (await api("/call/find_all", {})) || [];
    for (const c of list) upsert(c);
    summarize();
  } catch (_) {}
}

setInterval(() => calls.forEach(tick), 1000);
setInterval(refreshPushes, 3000);
summarize();
connect();
