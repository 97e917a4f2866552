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
      let detail = res.statusText, body = null;
      try {
        body = await res.json();
        if (body && body.error) detail = body.error;
      } catch (_) { /* not JSON: keep the status text */ }
      const err = new Error(`${res.status}: ${detail}`);
      err.status = res.status;
      if (body && body.fields) err.fields = body.fields;
      throw err;
    }
    return res;
  }

  const withCredentials = { credentials: 'include', cache: 'no-store' };

  // The live stream and the status are in live.js.

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
  const settingLabels = { width: 'Width', height: 'Height', quality: 'Quality', fps: 'FPS', brightness: 'Brightness' };
  // A field the user is editing is left alone when the settings change
  // elsewhere; the others follow.
  const editing = new Set();
  function fillSettings(s) {
    for (const name of settingNames) {
      if (!editing.has(name)) $(name).value = s[name];
    }
  }
  for (const name of settingNames) {
    $(name).addEventListener('input', () => {
      editing.add(name);
      markField(name, null);
    });
  }
  // Settings changed in any dashboard arrive with the pushed status.
  window.addEventListener('camera-status', (ev) => fillSettings(ev.detail.settings));

  // markField highlights a setting the camera refused and says under it
  // what it accepts, or clears that when problem is null.
  function markField(name, problem) {
    const input = $(name);
    let note = input.parentElement.querySelector('.field-error');
    if (problem === null) {
      input.removeAttribute('aria-invalid');
      if (note) note.remove();
      return;
    }
    input.setAttribute('aria-invalid', 'true');
    if (!note) {
      note = document.createElement('span');
      note.className = 'field-error';
      input.after(note);
    }
    note.textContent = problem;
  }

  // settingsProblem puts a refused change in words, marking the fields to fix.
  function settingsProblem(err) {
    if (err.status === 401) return 'You are not logged in: log in above, then apply again.';
    if (err.status === 400 && err.fields && Object.keys(err.fields).length > 0) {
      const parts = [];
      for (const [name, range] of Object.entries(err.fields)) {
        const words = `must be a whole number from ${range.min} to ${range.max}`;
        markField(name, words);
        parts.push(`${settingLabels[name] || name} ${words}`);
      }
      return `Not applied: ${parts.join('; ')}. Fix the highlighted ${parts.length > 1 ? 'fields' : 'field'}.`;
    }
    if (err.status) return `Not applied: the camera refused the change (${err.message}).`;
    return 'Not applied: the camera cannot be reached. Is it running?';
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
    for (const name of settingNames) markField(name, null);
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
      editing.clear();
      fillSettings(s);
      show(msg, `Settings applied: ${s.width}x${s.height}, quality ${s.quality}, ${s.fps} fps, brightness ${s.brightness}.`, 'ok');
    } catch (err) {
      show(msg, settingsProblem(err), 'error');
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
  loadSettings();
  checkSession().then(setLoggedIn).catch(() => {});
})();
