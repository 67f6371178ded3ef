// The browser twin's page glue, linked into twin.js with --pre-js: it configures Emscripten's Module (canvas,
// loading progress, errors in words), exposes window.twin / window.twinReady to people and tests, applies the
// URL's parameters, and links the twin to the gateway's live feed when the page is served by a gateway.
// Plain JS, no build step. Module properties are quoted so a closure-compiled build keeps their names. No ?? or
// ?. here: Emscripten 3.1.6's minifier drops the parentheses around them and twin.js no longer parses.
(function () {
  'use strict';

  const element = (id) => document.getElementById(id);
  const canvas = element('canvas');
  const overlay = {
    loading: element('loading'),
    loadingText: element('loading-text'),
    loadingBar: element('loading-bar'),
    error: element('error'),
    errorText: element('error-text'),
    notice: element('notice'),
  };

  let firstFrameSeen = false;
  let failed = false;
  let resolveReady;
  let rejectReady;
  // Resolves with window.twin once the twin has drawn its first frame; rejects if it could not start.
  window.twinReady = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  window.twinReady.catch(() => {});  // the error overlay reports it; no "unhandled rejection" on top

  // [SECTION] Overlays

  function showLoading(text, done, total) {
    if (!overlay.loading || firstFrameSeen || failed) return;
    if (overlay.loadingText && text) overlay.loadingText.textContent = text;
    if (!overlay.loadingBar) return;
    if (total > 0) {
      overlay.loadingBar.max = total;
      overlay.loadingBar.value = Math.min(done, total);
    } else {
      overlay.loadingBar.removeAttribute('value');  // indeterminate
    }
  }

  function hideLoading() {
    if (overlay.loading) overlay.loading.hidden = true;
  }

  function reasonOf(what) {
    if (what instanceof Error) return what.message || String(what);
    if (what && typeof what === 'object' && 'message' in what) return String(what.message);
    return String(what);
  }

  // Emscripten's reasons for not starting, in the reader's words.
  function plainReason(what) {
    const reason = reasonOf(what).replace(/\. Build with -s ASSERTIONS=1 for more info\.?/g, '')
                                 .replace(/^(RuntimeError: )?Aborted\((.*)\)$/s, '$2');
    if (/fetching of the wasm failed|failed to load wasm binary/i.test(reason))
      return 'twin.wasm could not be downloaded (' + reason + '); is the twin built into the directory this page is served from?';
    if (/no native wasm support/i.test(reason)) return 'this browser does not run WebAssembly';
    return reason;
  }

  // A fatal problem: the first one is shown in words; later ones usually follow from it.
  function fail(what) {
    let reason = plainReason(what);
    if (!webgl2Available()) reason += '\n\nThis browser offers no WebGL 2; enable hardware acceleration or try another browser.';
    const text = (firstFrameSeen ? 'The twin stopped: ' : 'The twin could not start: ') + reason;
    if (failed) return console.warn(text);
    console.error(text);
    failed = true;
    hideLoading();
    if (overlay.errorText) overlay.errorText.textContent = text;
    if (overlay.error) overlay.error.hidden = false;
    rejectReady(new Error(text));
  }

  let noticeTimer = 0;
  // A non-fatal problem, shown for a few seconds.
  function notify(text) {
    console.warn(text);
    if (!overlay.notice) return;
    overlay.notice.textContent = text;
    overlay.notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { overlay.notice.hidden = true; }, 6000);
  }

  let webgl2 = null;
  function webgl2Available() {
    if (webgl2 === null) {
      try {
        webgl2 = !!document.createElement('canvas').getContext('webgl2');
      } catch (error) {
        webgl2 = false;
      }
    }
    return webgl2;
  }

  // [SECTION] Emscripten's Module

  Module['canvas'] = canvas;
  const lastErrors = [];  // the twin's last lines on stderr: why it exited, in its own words
  Module['print'] = (text) => console.log(text);
  Module['printErr'] = (text) => {
    console.warn(text);
    lastErrors.push(text);
    if (lastErrors.length > 3) lastErrors.shift();
  };
  Module['onAbort'] = (what) => fail(what);
  const endedEarly = (fallback) => fail(lastErrors.length ? lastErrors.join('\n') : fallback);
  Module['onExit'] = (status) => endedEarly('it exited with status ' + status);
  // After main(): without a main loop the twin will never draw (it could not open its window, say). Browser is
  // Emscripten's own library object; when a build has none, the first-frame watchdog still reports it.
  Module['postRun'] = [() => {
    if (typeof Browser !== 'undefined' && Browser.mainLoop && !Browser.mainLoop.func) endedEarly('it ended before drawing anything');
  }];

  // Emscripten reports "Text... (done/total)" while downloading and '' when running.
  Module['setStatus'] = (text) => {
    if (!text) return;
    const progress = /^(.*?)\s*\((\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)\)\s*$/.exec(text);
    if (progress) showLoading(progress[1], Number(progress[2]), Number(progress[3]));
    else showLoading(text === 'Running...' ? 'Starting the twin…' : text, 0, 0);
  };

  let totalDependencies = 0;
  Module['monitorRunDependencies'] = (left) => {
    totalDependencies = Math.max(totalDependencies, left);
    if (left > 0) showLoading('Loading the tower twin…', totalDependencies - left, totalDependencies);
    else showLoading('Starting the twin…', 0, 0);
  };

  // Before the first frame any uncaught error means the twin did not start. After it, an error from the twin
  // (twin.js, which holds this glue, or a trap in twin.wasm) has stopped its main loop; others are reported only.
  const fromTwin = (error, file) => error instanceof WebAssembly.RuntimeError || /\/twin\.(js|wasm)\b/.test(file || '');
  window.addEventListener('error', (event) => {
    const what = event.error || event.message;
    if (!firstFrameSeen || fromTwin(event.error, event.filename)) fail(what);
    else notify('A script on this page failed: ' + reasonOf(what));
  });
  window.addEventListener('unhandledrejection', (event) => {
    if (!firstFrameSeen || fromTwin(event.reason, '')) fail(event.reason);
    else notify('A script on this page failed: ' + reasonOf(event.reason));
  });
  if (canvas) {
    // The twin asks the browser to restore the context and rebuilds its GL objects then (twin_web.cpp).
    canvas.addEventListener('webglcontextlost', () => notify('The graphics context was lost; waiting for the browser to restore it.'));
    canvas.addEventListener('pointerdown', () => canvas.focus());
  }

  // [SECTION] The test hook: window.twin

  const call = (name, returns, types, args) => Module['ccall'](name, returns, types, args);

  // ccall copies string arguments onto the wasm stack; a very large text (a big snapshot) goes on the heap.
  function callWithText(name, returns, text) {
    const heap = typeof _malloc === 'function' && typeof _free === 'function' && text.length > (1 << 18);
    if (!heap) return call(name, returns, ['string'], [text]);
    const size = Module['lengthBytesUTF8'](text) + 1;
    const pointer = _malloc(size);
    try {
      Module['stringToUTF8'](text, pointer, size);
      return call(name, returns, ['number'], [pointer]);
    } finally {
      _free(pointer);
    }
  }

  const twin = Object.freeze({
    // What the twin shows, as an object (see TwinModel::state).
    state() {
      return JSON.parse(call('twin_state', 'string', [], []));
    },
    // Sends {do: name, ...}; answers {ok: true, ...} or {error: "..."}.
    command(command) {
      const text = typeof command === 'string' ? command : JSON.stringify(command);
      return JSON.parse(callWithText('twin_command', 'string', text));
    },
  });

  // [SECTION] Clipboard and files: Emscripten's GLFW has no clipboard, so the page hands the twin what the
  // user pastes (the paste event fires before the twin's next frame reads it) and the twin writes copies to
  // navigator.clipboard itself. A scenario file dropped on the page goes into the staff's editor.
  function linkClipboardAndFiles() {
    document.addEventListener('paste', (event) => {
      const text = event.clipboardData ? event.clipboardData.getData('text/plain') : '';
      callWithText('twin_clipboard_pasted', null, text);
    });
    window.addEventListener('dragover', (event) => event.preventDefault());
    window.addEventListener('drop', (event) => {
      event.preventDefault();
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (!file) return;
      file.text().then((text) => {
        const answer = twin.command({do: 'set_scenario_text', text: text, label: file.name});
        notify(answer.error ? 'Could not open ' + file.name + ': ' + answer.error
                            : file.name + ' is in the staff editor: Run edited or Watch edited.');
      }, (error) => notify('Could not read ' + file.name + ': ' + error.message));
    });
  }

  Module['onRuntimeInitialized'] = () => {
    window.twin = twin;
    linkClipboardAndFiles();
    showLoading('Starting the twin…', 0, 0);
    waitForFirstFrame();
  };

  function waitForFirstFrame() {
    const started = performance.now();
    let warned = false;
    const poll = () => {
      if (failed) return;
      let frames = 0;
      try {
        frames = twin.state().frames;
      } catch (error) {
        return fail(error);
      }
      if (frames > 0) return onFirstFrame();
      if (!warned && performance.now() - started > 30000) {
        warned = true;
        notify('The twin has not drawn anything for 30 s; it may still be starting.');
      }
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  }

  function onFirstFrame() {
    firstFrameSeen = true;
    hideLoading();
    if (canvas) canvas.focus();
    resolveReady(twin);
    applyUrl().catch((error) => notify('Could not apply the page address: ' + reasonOf(error)));
  }

  // [SECTION] The page address: ?mode= ?scenario= ?car= ?speed=, ?order= / ?trial= with #token=

  function send(command, what) {
    const answer = twin.command(command);
    if (answer && answer.error) notify(what + ': ' + answer.error);
    return answer;
  }

  async function applyUrl() {
    const query = new URLSearchParams(location.search);
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get('token');
    if (token) {
      // The token is a secret: keep it out of the address bar, bookmarks and screenshots.
      fragment.delete('token');
      const rest = fragment.toString();
      history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    }

    const scenario = query.get('scenario');
    if (scenario) {
      const example = scenario.endsWith('.json') ? scenario : scenario + '.json';
      send({do: 'load', example}, 'Scenario ' + scenario);
    }
    const mode = query.get('mode');
    if (mode) send({do: 'mode', value: mode}, 'Mode ' + mode);
    const speed = query.get('speed');
    if (speed !== null) {
      const value = Number(speed);
      if (Number.isFinite(value) && value >= 0) send({do: 'speed', value}, 'Speed ' + speed);
      else notify('Speed ' + speed + ' is not a number of simulated seconds per second');
    }
    const car = query.get('car');
    if (car !== null) send({do: 'select_car', car: Number(car)}, 'Car ' + car);

    const gateway = await gatewayPresent();
    if (gateway) startLiveLink();

    for (const kind of ['order', 'trial']) {
      const id = query.get(kind);
      if (id === null) continue;
      if (!gateway) notify('Following ' + kind + ' ' + id + ' needs the tower\'s gateway; this page is served without one.');
      else await watchOwnCar(kind, id, token);
    }
  }

  // The car of the customer's order or test drive, watched on the live tower.
  async function watchOwnCar(kind, id, token) {
    const what = (kind === 'order' ? 'Order ' : 'Test drive ') + id;
    if (!/^\d+$/.test(id)) return notify(what + ': not an id');
    if (!token) return notify(what + ': the address has no #token=…');
    let body;
    try {
      const response = await fetch('/api/v1/' + kind + 's/' + id, {headers: {Authorization: 'Bearer ' + token}});
      body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const reason = body && body.error ? body.error.message || body.error.code : response.statusText;
        return notify(what + ': ' + reason + ' (HTTP ' + response.status + ')');
      }
    } catch (error) {
      return notify(what + ': the gateway did not answer (' + reasonOf(error) + ')');
    }
    const nested = body && body[kind];
    const car = Number(body && body.car !== undefined ? body.car : nested && nested.car);
    if (!Number.isInteger(car) || car <= 0) return notify(what + ': the answer names no car');
    send({do: 'mode', value: 'live'}, 'Live mode');
    send({do: 'watch_car', car}, 'Car ' + car);
  }

  // [SECTION] The live link

  // A gateway answers /healthz with {"status": ...}; a static host answers 404 or its index page.
  async function gatewayPresent() {
    if (location.protocol !== 'http:' && location.protocol !== 'https:') return false;
    try {
      const response = await fetch('/healthz', {cache: 'no-store'});
      if (!response.ok && response.status !== 503) return false;
      const body = await response.json();
      return !!body && typeof body.status === 'string';
    } catch (error) {
      return false;
    }
  }

  // Feeds the gateway's WebSocket feed to the twin; reconnects with a capped exponential backoff, and at once
  // when the twin saw a sequence gap and needs a fresh snapshot.
  function startLiveLink() {
    const url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/api/v1/live';
    const shortest = 1000;
    const longest = 15000;
    let socket = null;
    let delay = shortest;
    let timer = 0;

    let told = null;  // what the twin was last told
    const setConnected = (connected) => {
      if (failed || told === connected) return;
      told = connected;
      call('twin_live_connected', null, ['number'], [connected ? 1 : 0]);
    };

    const reconnect = (wait) => {
      if (timer || failed) return;
      timer = setTimeout(connect, wait);
    };

    function connect() {
      timer = 0;
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (error) {
        reconnect(delay);
        delay = Math.min(delay * 2, longest);
        return;
      }
      socket = ws;
      ws.onopen = () => {
        if (socket === ws) setConnected(true);
      };
      ws.onmessage = (event) => {
        if (socket !== ws || typeof event.data !== 'string' || failed) return;
        delay = shortest;  // a message proves the link works
        const answer = JSON.parse(callWithText('twin_live_message', 'string', event.data));
        if (answer && answer.error) console.warn('live feed: ' + answer.error);
      };
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = null;
        setConnected(false);
        reconnect(delay);
        delay = Math.min(delay * 2, longest);
      };
    }

    setInterval(() => {
      if (!socket || socket.readyState !== WebSocket.OPEN || failed) return;
      let live;
      try {
        live = twin.state().live;
      } catch (error) {
        return;
      }
      if (!live || !live.needs_resync) return;
      const stale = socket;
      socket = null;
      stale.close(1000, 'resync');
      setConnected(false);
      delay = shortest;
      reconnect(0);
    }, 1000);

    connect();
  }
})();
