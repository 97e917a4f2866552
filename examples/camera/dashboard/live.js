// The live parts of the dashboard: the video stream and the status, both
// pushed by the camera, and both honest about their state. When the camera
// goes away they say "reconnecting", dim what they show, and come back by
// themselves, retrying with a growing delay.
'use strict';

(() => {
  const api = (window.CAMERA_CONFIG && window.CAMERA_CONFIG.api) || '';
  const $ = (id) => document.getElementById(id);
  if (!api) return; // app.js says so on the page

  function show(el, text, state) {
    el.textContent = text;
    el.dataset.state = state;
  }

  // backoff returns the delays of successive retries: 0.5 s, 1 s, 2 s...
  // up to 10 s, until reset after a success.
  function backoff() {
    let delay = 500;
    return {
      next() { const d = delay; delay = Math.min(delay * 2, 10000); return d; },
      reset() { delay = 500; },
    };
  }

  let fps = 10; // from the status: how often frames should come

  // --- Live stream -------------------------------------------------------
  //
  // The MJPEG stream is read with fetch rather than shown by an <img>
  // pointing at it: an <img> fires no event when the stream ends cleanly
  // (the camera restarted) or stalls, and would keep showing the last
  // frame under a "live" badge. Here every frame is seen, so a stream that
  // ends or goes quiet is noticed and reopened.

  const img = $('stream');
  const badge = $('stream-state');
  const streamRetry = backoff();
  let lastFrame = 0;
  let shownURL = null;
  let abort = null;

  // stallAfter is how long without a frame means the stream is stuck.
  const stallAfter = () => Math.max(3000, 3000 / fps);

  function indexOf(buf, seq, from) {
    outer: for (let i = from; i <= buf.length - seq.length; i++) {
      for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
      return i;
    }
    return -1;
  }
  const headerEnd = [13, 10, 13, 10];

  // nextPart takes the first complete part (headers, then Content-Length
  // bytes of JPEG) off buf; it returns null until one is complete.
  function nextPart(buf) {
    const end = indexOf(buf, headerEnd, 0);
    if (end < 0) return null;
    const headers = new TextDecoder().decode(buf.subarray(0, end));
    const m = /content-length:\s*(\d+)/i.exec(headers);
    if (!m) throw new Error('a part of the stream has no Content-Length');
    const start = end + 4, len = Number(m[1]);
    if (buf.length < start + len) return null;
    return { jpeg: buf.slice(start, start + len), rest: buf.subarray(start + len) };
  }

  function showFrame(jpeg) {
    const url = URL.createObjectURL(new Blob([jpeg], { type: 'image/jpeg' }));
    img.onload = () => {
      if (shownURL) URL.revokeObjectURL(shownURL);
      shownURL = url;
    };
    img.src = url;
    lastFrame = Date.now();
    streamRetry.reset();
    img.classList.remove('stale');
    if (badge.dataset.state !== 'ok') show(badge, 'live', 'ok');
  }

  async function runStream() {
    const controller = new AbortController();
    abort = controller;
    lastFrame = Date.now(); // the watchdog also covers a stream that never starts
    if (badge.dataset.state !== 'error') show(badge, 'connecting', 'wait');
    try {
      const res = await fetch(`${api}/api/stream?t=${Date.now()}`, { cache: 'no-store', signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`the camera answered ${res.status}`);
      const reader = res.body.getReader();
      let buf = new Uint8Array(0);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break; // the camera ended the stream: it restarted, or shut down
        const joined = new Uint8Array(buf.length + value.length);
        joined.set(buf);
        joined.set(value, buf.length);
        buf = joined;
        for (let part = nextPart(buf); part; part = nextPart(buf)) {
          buf = part.rest.slice(2); // the CRLF after the JPEG
          showFrame(part.jpeg);
        }
      }
    } catch (_) {
      // Unreachable, refused, or aborted by the watchdog: retry below.
    }
    abort = null;
    img.classList.add('stale');
    show(badge, 'reconnecting', 'error');
    setTimeout(runStream, streamRetry.next());
  }

  setInterval(() => {
    if (abort && Date.now() - lastFrame > stallAfter()) {
      abort.abort(); // stalled: runStream reconnects
    }
  }, 500);

  // --- Status ------------------------------------------------------------
  //
  // Pushed by the camera: over Server-Sent Events (/api/events), or over a
  // WebSocket (/api/live) when the page's address ends in
  // ?transport=websocket. Both carry the same JSON.

  const fields = {
    resolution: (s) => s.resolution,
    fps: (s) => `${s.fps} fps`,
    quality: (s) => String(s.quality),
    brightness: (s) => (s.brightness > 0 ? '+' : '') + s.brightness,
    clients: (s) => String(s.clients_streaming),
    frames: (s) => String(s.frames_rendered),
    uptime: (s) => formatUptime(s.uptime_seconds),
    version: (s) => s.version,
  };
  function formatUptime(sec) {
    const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    return (h ? `${h} h ` : '') + (h || m ? `${m} min ` : '') + `${s} s`;
  }

  const statusList = $('status-list');
  const statusMessage = $('status-message');
  const transport = new URLSearchParams(location.search).get('transport') === 'websocket' ? 'websocket' : 'sse';
  const statusRetry = backoff();
  $('status-transport').textContent = transport === 'websocket' ? 'a WebSocket (/api/live)' : 'Server-Sent Events (/api/events)';
  document.body.dataset.transport = transport;

  function render(s) {
    fps = s.fps || fps;
    for (const [id, format] of Object.entries(fields)) {
      $(`status-${id}`).textContent = format(s);
    }
    statusList.classList.remove('stale');
    statusRetry.reset();
    show(statusMessage, `live, updated ${new Date().toLocaleTimeString()}`, 'ok');
    // app.js follows settings changed from another dashboard.
    window.dispatchEvent(new CustomEvent('camera-status', { detail: s }));
  }

  function lost() {
    statusList.classList.add('stale');
    show(statusMessage, 'The camera cannot be reached: reconnecting… (the values shown are the last known)', 'error');
  }

  function connectSSE() {
    const source = new EventSource(`${api}/api/events`);
    source.addEventListener('status', (ev) => render(JSON.parse(ev.data)));
    source.onerror = () => {
      lost();
      // The browser retries by itself while the camera is unreachable; it
      // gives up only on an answer that is not an event stream.
      if (source.readyState === EventSource.CLOSED) setTimeout(connectSSE, statusRetry.next());
    };
  }

  function connectWebSocket() {
    const ws = new WebSocket(`${api.replace(/^http/, 'ws')}/api/live`);
    ws.onmessage = (ev) => render(JSON.parse(ev.data));
    ws.onclose = () => {
      lost();
      setTimeout(connectWebSocket, statusRetry.next());
    };
  }

  // The stream never finishes loading: start it after the page's load
  // event, so that the page counts as loaded.
  if (document.readyState === 'complete') runStream();
  else window.addEventListener('load', runStream, { once: true });
  if (transport === 'websocket') connectWebSocket();
  else connectSSE();
})();
