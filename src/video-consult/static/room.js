// The video room's script (src/video-consult): camera and microphone check, then the room over WebRTC, with the
// signalling WebSocket of this page's appointment. Perfect negotiation (polite/impolite, the citizen is polite): either
// side may (re)start, so a reload of one side reconnects. All texts come from the page (data-texts); the page's
// strict CSP allows this one same-origin script and same-origin connections only.
/* global document, window, navigator, location, WebSocket, RTCPeerConnection, MediaStream */
'use strict';

(function () {
  const root = document.getElementById('video-room');
  if (!root) return;
  const texts = JSON.parse(root.dataset.texts || '{}');
  const polite = root.dataset.polite === 'true';
  const signalUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + root.dataset.signal;
  const el = (id) => document.getElementById(id);
  const status = el('video-status');
  const localVideo = el('video-local');
  const remoteVideo = el('video-remote');
  const joinButton = el('video-join');
  const retryButton = el('video-retry');
  const muteButton = el('video-mute');
  const cameraButton = el('video-camera');
  const leaveButton = el('video-leave');
  // Inline on phones (iOS would go full screen); our own sound never plays back.
  localVideo.playsInline = remoteVideo.playsInline = true;
  localVideo.muted = true;

  const RESTART_AFTER_MS = 8000;
  let localStream = null;
  let socket = null;
  let pc = null;
  let ice = { iceServers: [], iceTransportPolicy: 'all' };
  let makingOffer = false;
  let ignoreOffer = false;
  let settingRemoteAnswer = false;
  let inRoom = false;
  // Messages are handled one after another: a description must be set before the candidates that follow it.
  let queue = Promise.resolve();

  function say(key) {
    status.textContent = texts[key] || '';
    root.dataset.state = key;
  }
  function show(button, visible) {
    button.hidden = !visible;
  }

  // ----- the camera and microphone check ------------------------------------------------------------------------
  async function startPreview() {
    say('checking');
    show(retryButton, false);
    joinButton.disabled = true;
    try {
      localStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      say('ready');
    } catch {
      try {
        localStream = await navigator.mediaDevices.getUserMedia({ audio: true });
        say('audioOnly');
      } catch {
        localStream = null;
        say('mediaError');
        show(retryButton, true);
        return;
      }
    }
    localVideo.srcObject = localStream;
    joinButton.disabled = false;
  }

  // ----- signalling ---------------------------------------------------------------------------------------------
  function send(msg) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
  }

  function join() {
    if (!localStream) return;
    inRoom = true;
    show(joinButton, false);
    show(retryButton, false);
    show(muteButton, true);
    show(cameraButton, localStream.getVideoTracks().length > 0);
    show(leaveButton, true);
    say('waiting');
    socket = new WebSocket(signalUrl);
    socket.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      queue = queue.then(() => handle(msg)).catch(() => undefined);
    };
    socket.onclose = (event) => {
      socket = null;
      closePeer();
      if (!inRoom) return;
      inRoom = false;
      stopRoomControls();
      const ended = { 4401: 'sessionEnded', 4408: 'ended', 4409: 'replaced' }[event.code];
      say(ended || 'failed');
      if (!ended) show(retryButton, true);
    };
  }

  async function handle(msg) {
    switch (msg.type) {
      case 'welcome':
        ice = msg.ice || ice;
        // The other side is there: it starts the connection (peer-joined); this side answers its offer. (Either side
        // may still offer at any time — perfect negotiation — but both offering at once is avoided: in Chromium a
        // polite side's rollback at the start sometimes left it without ICE candidates.)
        if (msg.peer) say('connecting');
        else say('waiting');
        return;
      case 'peer-joined':
        ice = msg.ice || ice;
        closePeer();
        startPeer();
        return;
      case 'peer-left':
        closePeer();
        say('peerLeft');
        return;
      case 'sdp':
        return onDescription(msg.description);
      case 'ice':
        if (!pc) return;
        try {
          await pc.addIceCandidate(msg.candidate);
        } catch (err) {
          if (!ignoreOffer) throw err;
        }
        return;
      case 'state':
        if (!msg.audio) say('peerMuted');
        else if (!msg.video) say('peerCameraOff');
        else if (pc && pc.connectionState === 'connected') say('connected');
        return;
    }
  }

  // ----- the peer connection ------------------------------------------------------------------------------------
  function startPeer() {
    say('connecting');
    makingOffer = false;
    ignoreOffer = false;
    settingRemoteAnswer = false;
    pc = new RTCPeerConnection({ iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy });
    const current = pc;
    // Not connected after a while (lost candidates, a network change): gather and offer again (an ICE restart).
    const watchdog = window.setInterval(() => {
      if (pc !== current) window.clearInterval(watchdog);
      else if (current.connectionState !== 'connected') current.restartIce();
    }, RESTART_AFTER_MS);
    for (const track of localStream.getTracks()) current.addTrack(track, localStream);
    current.ontrack = ({ track, streams }) => {
      const stream = streams[0] || new MediaStream([track]);
      if (remoteVideo.srcObject !== stream) remoteVideo.srcObject = stream;
    };
    current.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) send({ type: 'ice', candidate: candidate.toJSON() });
    };
    current.onnegotiationneeded = async () => {
      try {
        makingOffer = true;
        await current.setLocalDescription();
        if (pc === current) send({ type: 'sdp', description: descriptionOf(current) });
      } catch {
        // A newer negotiation replaces this one.
      } finally {
        makingOffer = false;
      }
    };
    current.onconnectionstatechange = () => {
      if (pc !== current) return;
      root.dataset.connection = current.connectionState;
      if (current.connectionState === 'connected') {
        say('connected');
        sendState();
      } else if (current.connectionState === 'disconnected') say('reconnecting');
      else if (current.connectionState === 'failed') {
        say('reconnecting');
        current.restartIce();
      }
    };
  }

  function descriptionOf(connection) {
    const d = connection.localDescription;
    return { type: d.type, sdp: d.sdp };
  }

  async function onDescription(description) {
    if (!pc) {
      if (description.type !== 'offer') return;
      startPeer();
    }
    const current = pc;
    const readyForOffer = !makingOffer && (current.signalingState === 'stable' || settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    ignoreOffer = !polite && collision;
    if (ignoreOffer) return;
    settingRemoteAnswer = description.type === 'answer';
    await current.setRemoteDescription(description);
    settingRemoteAnswer = false;
    if (description.type === 'offer') {
      await current.setLocalDescription();
      send({ type: 'sdp', description: descriptionOf(current) });
    }
  }

  function closePeer() {
    if (pc) {
      pc.ontrack = pc.onicecandidate = pc.onnegotiationneeded = pc.onconnectionstatechange = null;
      pc.close();
      pc = null;
    }
    remoteVideo.srcObject = null;
    delete root.dataset.connection;
  }

  // ----- the controls -------------------------------------------------------------------------------------------
  function sendState() {
    const audio = localStream.getAudioTracks().some((t) => t.enabled);
    const video = localStream.getVideoTracks().some((t) => t.enabled);
    send({ type: 'state', audio, video });
  }

  function toggle(button, tracks, offKey, onKey) {
    const off = button.getAttribute('aria-pressed') !== 'true';
    for (const t of tracks) t.enabled = !off;
    button.setAttribute('aria-pressed', off ? 'true' : 'false');
    say(off ? offKey : onKey);
    sendState();
  }

  function stopRoomControls() {
    show(muteButton, false);
    show(cameraButton, false);
    show(leaveButton, false);
    show(joinButton, true);
    joinButton.disabled = !localStream;
  }

  function leave() {
    inRoom = false;
    if (socket) socket.close(1000, 'left');
    closePeer();
    stopRoomControls();
    say('left');
  }

  joinButton.addEventListener('click', join);
  retryButton.addEventListener('click', () => {
    if (localStream) join();
    else void startPreview();
  });
  muteButton.addEventListener('click', () => toggle(muteButton, localStream.getAudioTracks(), 'muted', 'unmuted'));
  cameraButton.addEventListener('click', () =>
    toggle(cameraButton, localStream.getVideoTracks(), 'cameraOff', 'cameraOn'),
  );
  leaveButton.addEventListener('click', leave);
  window.addEventListener('pagehide', () => {
    if (socket) socket.close(1000, 'left');
  });

  void startPreview();
})();
