// A WHEP player (draft-ietf-wish-whep): one recvonly PeerConnection per stream. sipcast is
// ICE-lite and puts every candidate in its answer, so the offer goes at once, without waiting
// for the browser's own candidates.
"use strict";
window.sipcast = window.sipcast || { players: [] };

function withToken(url) {
  const t = new URLSearchParams(location.search).get("token");
  return t ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(t) : url;
}

async function playWHEP(video, stream, onState) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const media = new MediaStream();
  const player = { pc, stream, location: null, kinds: new Set(), closed: false };
  pc.ontrack = (e) => {
    media.addTrack(e.track);
    player.kinds.add(e.track.kind);
    video.srcObject = media;
    video.play().catch(() => {});
    onState && onState("tracks", player);
  };
  pc.onconnectionstatechange = () => onState && onState(pc.connectionState, player);
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(withToken("/whep/" + encodeURIComponent(stream)), {
    method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp,
  });
  const text = await res.text();
  if (res.status !== 201) {
    pc.close();
    let msg = text;
    try { msg = JSON.parse(text).message || text; } catch (_) {}
    throw new Error(msg);
  }
  player.location = res.headers.get("Location");
  await pc.setRemoteDescription({ type: "answer", sdp: text });
  player.close = () => {
    if (player.closed) return;
    player.closed = true;
    if (player.location) fetch(withToken(player.location), { method: "DELETE" }).catch(() => {});
    pc.close();
    window.sipcast.players = window.sipcast.players.filter((p) => p !== player);
  };
  window.sipcast.players.push(player);
  return player;
}

// mediaStats sums what every open player decoded: for tests and the player's overlay.
async function mediaStats() {
  const out = { framesDecoded: 0, totalSamplesReceived: 0, frameWidth: 0, players: 0 };
  for (const p of window.sipcast.players) {
    out.players++;
    (await p.pc.getStats()).forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video") {
        out.framesDecoded += s.framesDecoded || 0;
        out.frameWidth = Math.max(out.frameWidth, s.frameWidth || 0);
      }
      if (s.kind === "audio") out.totalSamplesReceived += s.totalSamplesReceived || 0;
    });
  }
  return out;
}
window.sipcast.mediaStats = mediaStats;
