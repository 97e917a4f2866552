// The camera dashboard: it runs on the dashboard's origin and calls the
// camera API on another origin, so every call below is a CORS request.
'use strict';

(() => {
  const api = (window.CAMERA_CONFIG && window.CAMERA_CONFIG.api) || '';
  const $ = (id) => document.getElementById(id);

  $('page-origin').textContent = location.origin;
  $('api-origin').textContent = api || '(unknown: /config.js did not load)';

  // show puts a message in el; state is "ok", "error" or "wait", and the
  // stylesheet colours it accordingly.
  function show(el, text, state) {
    el.textContent = text;
    el.dataset.state = state;
  }

  // call fetches an API path and returns the response when its status is 2xx.
  // It throws an Error with a message fit for the page otherwise.
  async function call(path, options = {}) {
    let res;
    try {
      res = await fetch(api + path, options);
    } catch (err) {
      // fetch rejects with a TypeError and no details when the browser
      // got no response it may show to this page: the camera is down, or
      // its CORS policy does not allow this origin.
      throw new Error(`cannot reach the camera API at ${api} (${err.message}): ` +
        `is it running, and does its CORS policy allow ${location.origin}?`);
    }
    if (!res.ok) {
      let detail = res.statusText;
      try {
        const body = await res.json();
        if (body && body.error) detail = body.error;
      } catch (_) { /* not JSON: keep the status text */ }
      const err = new Error(`${res.status}: ${detail}`);
      err.status = res.status;
      throw err;
    }
    return res;
  }

  const withCredentials = { credentials: 'include', cache: 'no-store' };

  // --- Live stream -------------------------------------------------------

  const stream = $('stream');
  const streamState = $('stream-state');
  function startStream() {
    show(streamState, 'connecting', 'wait');
    stream.src = `${api}/api/stream?t=${Date.now()}`;
  }
  stream.addEventListener('error', () => {
    show(streamState, 'offline: retrying', 'error');
    setTimeout(startStream, 2000);
  });
  // An MJPEG <img> fires no event per frame: watch for the first one.
  setInterval(() => {
    if (stream.naturalWidth > 0 && streamState.dataset.state === 'wait') {
      show(streamState, 'live', 'ok');
    }
  }, 250);

  // --- Status ------------------------------------------------------------

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
  let statusBusy = false;
  async function refreshStatus() {
    if (statusBusy) return;
    statusBusy = true;
    try {
      const s = await (await call('/api/status', { cache: 'no-store' })).json();
      for (const [id, format] of Object.entries(fields)) {
        $(`status-${id}`).textContent = format(s);
      }
      show($('status-message'), `updated ${new Date().toLocaleTimeString()}`, 'ok');
    } catch (err) {
      show($('status-message'), err.message, 'error');
    } finally {
      statusBusy = false;
    }
  }

  // --- Snapshot ----------------------------------------------------------

  let snapshotURL = null;
  async function takeSnapshot() {
    const msg = $('snapshot-message');
    const img = $('snapshot');
    show(msg, 'taking a snapshot…', 'wait');
    try {
      const res = await call('/api/snapshot', withCredentials);
      const blob = await res.blob();
      // X-Frame-Number and X-Frame-Resolution are readable only because
      // the API's CORS policy exposes them.
      const number = res.headers.get('X-Frame-Number') || '?';
      const resolution = res.headers.get('X-Frame-Resolution') || '?';
      const url = URL.createObjectURL(blob);
      img.onload = () => {
        if (snapshotURL) URL.revokeObjectURL(snapshotURL);
        snapshotURL = url;
        show(msg, `frame #${number}, ${resolution}, ${(blob.size / 1024).toFixed(1)} KiB`, 'ok');
      };
      img.onerror = () => show(msg, 'the snapshot is not an image the browser can show', 'error');
      img.hidden = false;
      img.src = url;
    } catch (err) {
      show(msg, `snapshot failed: ${err.message}`, 'error');
    }
  }

  // --- Login -------------------------------------------------------------

  async function checkSession() {
    const res = await call('/api/session', withCredentials);
    return (await res.json()).authenticated;
  }
  function setLoggedIn(yes) {
    $('logout-button').hidden = !yes;
  }
  async function login(event) {
    event.preventDefault();
    const msg = $('login-message');
    show(msg, 'logging in…', 'wait');
    try {
      await call('/api/login', {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ password: $('password').value }),
      });
      // The cookie is HttpOnly: ask the API whether the browser sends it.
      if (await checkSession()) {
        show(msg, 'Logged in: settings may be changed.', 'ok');
        setLoggedIn(true);
      } else {
        show(msg, 'Logged in, but the browser does not send the session cookie to the API ' +
          '(the page and the API are on different sites?): open the dashboard at the address the camera printed.', 'error');
      }
    } catch (err) {
      show(msg, `login failed: ${err.message}`, 'error');
    } finally {
      $('password').value = '';
    }
  }
  async function logout() {
    try {
      await call('/api/logout', { method: 'POST', credentials: 'include' });
      show($('login-message'), 'Logged out.', 'ok');
      setLoggedIn(false);
    } catch (err) {
      show($('login-message'), `logout failed: ${err.message}`, 'error');
    }
  }

  // --- Settings ----------------------------------------------------------

  const settingNames = ['width', 'height', 'quality', 'fps', 'brightness'];
  function fillSettings(s) {
    for (const name of settingNames) $(name).value = s[name];
  }
  async function loadSettings() {
    try {
      fillSettings(await (await call('/api/settings', { cache: 'no-store' })).json());
    } catch (err) {
      show($('settings-message'), `cannot read the settings: ${err.message}`, 'error');
    }
  }
  async function applySettings(event) {
    event.preventDefault();
    const msg = $('settings-message');
    const body = {};
    for (const name of settingNames) {
      const raw = $(name).value.trim();
      if (raw === '') continue;
      // Send what was typed; the camera answers 400 for anything that is
      // not an integer in range, naming the setting and the range.
      body[name] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    }
    show(msg, 'applying…', 'wait');
    try {
      // A PUT with a JSON body is not a "simple" request: the browser first
      // sends a preflight (OPTIONS) and goes on only if the API allows it.
      const res = await call('/api/settings', {
        method: 'PUT',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const s = await res.json();
      fillSettings(s);
      show(msg, `Settings applied: ${s.width}x${s.height}, quality ${s.quality}, ${s.fps} fps, brightness ${s.brightness}.`, 'ok');
      refreshStatus();
    } catch (err) {
      const hint = err.status === 401 ? ' (log in above first)' : '';
      show(msg, `settings not applied: ${err.message}${hint}`, 'error');
    }
  }

  // --- Start -------------------------------------------------------------

  $('snapshot-button').addEventListener('click', takeSnapshot);
  $('login-form').addEventListener('submit', login);
  $('logout-button').addEventListener('click', logout);
  $('settings-form').addEventListener('submit', applySettings);

  if (!api) {
    show($('status-message'), 'the camera API address is unknown: /config.js did not load', 'error');
    return;
  }
  // The stream never finishes loading: start it after the page's load
  // event, so that the page counts as loaded.
  if (document.readyState === 'complete') startStream();
  else window.addEventListener('load', startStream, { once: true });
  refreshStatus();
  setInterval(refreshStatus, 1000);
  loadSettings();
  checkSession().then(setLoggedIn).catch(() => {});
})();
