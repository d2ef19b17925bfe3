// The player: one stream, full size, muted until a click (browsers only autoplay muted).
"use strict";
const stream = decodeURIComponent(location.pathname.split("/").pop());
const video = document.getElementById("video");
const state = document.getElementById("state");
const sound = document.getElementById("sound");
const ph = document.getElementById("placeholder"), phText = document.getElementById("phText");
document.getElementById("name").textContent = stream;
document.title = stream + " · sipcast";

sound.onclick = () => {
  video.muted = !video.muted;
  sound.textContent = video.muted ? "♪ Sound on" : "♪ Sound off";
  video.play().catch(() => {});
};

async function start() {
  state.textContent = "connecting";
  try {
    await playWHEP(video, stream, (st, p) => {
      if (st === "tracks") {
        ph.hidden = p.kinds.has("video");
        phText.textContent = "audio only";
      }
      if (st === "connected") { state.textContent = "live"; state.className = "badge status s-established"; }
      if (st === "failed" || st === "closed") {
        state.textContent = "reconnecting"; state.className = "badge status s-trying";
        p.close && p.close();
        setTimeout(start, 2000);
      }
    });
  } catch (err) {
    state.textContent = "offline"; state.className = "badge status s-failed";
    ph.hidden = false;
    phText.textContent = err.message;
    setTimeout(start, 3000);
  }
}

setInterval(async () => {
  const s = await window.sipcast.mediaStats();
  document.getElementById("stats").textContent =
    (s.frameWidth ? s.frameWidth + "px · " : "") + s.framesDecoded + " frames · " +
    Math.round(s.totalSamplesReceived / 8000) + " s audio";
}, 1000);
start();
