'use strict';
// One bot's simulator. The server keeps the user (session, clock, conversation); every answer carries the whole
// state and this page only draws it. An event stream says when a saved file was compiled.
(() => {
  const bot = decodeURIComponent(location.pathname.split('/').filter(Boolean)[0] || '');
  const api = '/_api/bots/' + encodeURIComponent(bot);
  const $ = (id) => document.getElementById(id);
  // The page's words in its language (<html lang>), served with it: texts.Title, texts.NotSent…
  const texts = JSON.parse($('sim-texts').textContent);
  const format = (text, ...values) => text.replace(/\{(\d+)\}/g, (_, i) => String(values[Number(i)]));

  // One simulated user per bot and browser tab; a reload of the page keeps the conversation.
  const userKey = 'kakaoflow-sim-user:' + bot;
  let user = sessionStorage.getItem(userKey);
  if (!user || !/^[A-Za-z0-9_-]{1,64}$/.test(user)) {
    user = 'u' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem(userKey, user);
  }

  let state = null;
  let lastStamp = null;
  let busy = false;
  let graph = { version: null, nodes: {}, prefix: null };
  let renders = 0;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function isWebUrl(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url);
  }

  function photo(p) {
    const img = element('img', 'photo');
    img.alt = texts.Photo;
    img.loading = 'lazy';
    if (p.width > 0 && p.height > 0) img.style.aspectRatio = p.width + ' / ' + p.height;
    img.addEventListener('error', () => { img.classList.add('broken'); img.title = p.url; });
    if (isWebUrl(p.url)) img.src = p.url;
    return img;
  }

  function entry(e, name) {
    const li = element('li', 'entry ' + e.kind);
    if (e.kind === 'bot') {
      li.append(element('div', 'avatar', name.slice(0, 1)));
      const body = element('div', 'body');
      body.append(element('div', 'sender', name));
      const bubble = element('div', 'bubble');
      bubble.dataset.testid = 'bot-message';
      if (e.photo) bubble.append(photo(e.photo));
      if (e.text) bubble.append(element('p', 'text', e.text));
      if (e.link && isWebUrl(e.link.url)) {
        const a = element('a', 'link-button', e.link.label);
        a.href = e.link.url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        bubble.append(a);
      }
      body.append(bubble);
      li.append(body);
    } else if (e.kind === 'user') {
      const bubble = element('div', 'bubble');
      bubble.dataset.testid = 'user-message';
      if (e.photo) bubble.append(photo(e.photo)); else bubble.append(element('p', 'text', e.text));
      li.append(bubble);
    } else {
      li.append(element('span', 'line', e.text));
    }
    return li;
  }

  function renderStatus(status, name) {
    $('bot-name').textContent = name;
    document.title = name + ' · ' + texts.Title;
    $('room-title').textContent = name;
    const line = $('status-line');
    line.textContent = status.summary;
    line.className = 'status ' + status.level;
    const list = $('diagnostics');
    list.replaceChildren(...status.diagnostics.map((d) => element('li', d.isError ? 'error' : 'warning', d.line)));
    $('no-diagnostics').hidden = status.diagnostics.length > 0;
  }

  function render(s) {
    state = s;
    noteStatus(s.status);
    renderStatus(s.status, s.name);
    const u = s.user;
    const messages = $('messages');
    const keyboard = $('keyboard');
    if (!u) {
      messages.replaceChildren(entry({ kind: 'issue', text: texts.CannotStart }));
      keyboard.replaceChildren();
      $('composer').hidden = true;
      $('photo-composer').hidden = true;
      $('current-step').textContent = '';
      $('vars').textContent = '{}';
      $('clock').textContent = '';
      highlight();
      return;
    }

    const items = u.entries.map((e) => entry(e, s.name));
    if (items.length === 0) items.push(entry({ kind: 'note', text: texts.FirstScreen }));
    messages.replaceChildren(...items);
    keyboard.replaceChildren(...(u.textKeyboard ? [] : u.buttons.map((label) => {
      const button = element('button', 'key', label);
      button.type = 'button';
      button.dataset.testid = 'keyboard-button';
      button.addEventListener('click', () => send({ text: label }, label));
      return button;
    })));
    $('composer').hidden = !u.textKeyboard;
    $('photo-composer').hidden = !u.acceptsPhoto;
    $('current-step').textContent = u.step;
    $('vars').textContent = u.vars;
    $('clock').textContent = u.clock;
    const chat = $('chat');
    chat.scrollTop = chat.scrollHeight;
    if (u.textKeyboard && !busy) $('text-input').focus();
    if (s.status.version !== graph.version) loadGraph(s.status.version); else highlight();
  }

  function setBusy(value) {
    busy = value;
    document.querySelectorAll('.key, .controls button, #reset, #send, #send-photo').forEach((b) => { b.disabled = value; });
  }

  async function call(method, path, body) {
    const response = await fetch(api + path, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 404) throw new Error(texts.BotGone);
    if (response.status === 400) throw new Error(await response.text());
    return response.json();
  }

  async function act(path, body, pending) {
    if (busy) return;
    setBusy(true);
    if (pending) {
      // As in KakaoTalk: the keyboard goes away once a button is pressed, the message shows at once.
      $('keyboard').replaceChildren();
      $('messages').append(entry(pending));
    }
    try {
      render(await call('POST', path, Object.assign({ user }, body)));
    } catch (error) {
      $('messages').append(entry({ kind: 'issue', text: format(texts.NotSent, error.message) }));
    } finally {
      setBusy(false);
    }
  }

  function send(body, shown) {
    return act('/send', body, body.photo ? { kind: 'user', photo: { url: body.photo } } : { kind: 'user', text: shown });
  }

  async function refresh() {
    try {
      render(await call('GET', '/state?user=' + encodeURIComponent(user)));
    } catch (error) {
      showNotice('error', error.message);
    }
  }

  function showNotice(kind, text) {
    const notice = $('reload-notice');
    notice.className = 'notice ' + kind;
    notice.textContent = text;
    notice.hidden = false;
  }

  function noteStatus(status) {
    if (lastStamp !== null && status.stamp !== lastStamp) {
      const time = new Date().toLocaleTimeString(document.documentElement.lang);
      if (!status.served) {
        showNotice('error', format(texts.SavedBroken, time, status.errors));
      } else if (status.lastReloadFailed) {
        showNotice('error', format(texts.SavedFailed, time, status.errors, status.version));
      } else {
        showNotice('ok', format(texts.SavedOk, time, status.version));
      }
    }
    lastStamp = status.stamp;
  }

  async function loadGraph(version) {
    graph.version = version;
    const container = $('graph');
    if (!version || !window.mermaid) return;
    try {
      const response = await fetch(api + '/graph');
      if (!response.ok) return;
      const view = await response.json();
      if (view.version !== graph.version) return;
      const id = 'kf-graph-' + (++renders);
      const { svg } = await window.mermaid.render(id, view.mermaid);
      if (view.version !== graph.version) return;
      container.innerHTML = svg;
      graph = { version: view.version, nodes: view.nodes, prefix: id + '-flowchart-' };
      highlight(true);
    } catch (error) {
      container.replaceChildren(element('p', 'issue', format(texts.GraphFailed, error.message)));
    }
  }

  // The node of the current step carries the class `current` (Mermaid's node ids are <render id>-flowchart-<node id>-<n>).
  function highlight(scroll) {
    const container = $('graph');
    container.querySelectorAll('g.node.current').forEach((n) => n.classList.remove('current'));
    const step = state && state.user ? state.user.step : null;
    const nodeId = step !== null ? graph.nodes[step] : undefined;
    if (!nodeId || !graph.prefix) return;
    const pattern = new RegExp('^' + graph.prefix.replace(/[-]/g, '\\-') + nodeId + '-\\d+$');
    const node = [...container.querySelectorAll('g.node')].find((n) => pattern.test(n.id));
    if (!node) return;
    node.classList.add('current');
    const box = node.getBoundingClientRect();
    const view = container.getBoundingClientRect();
    if (scroll || box.top < view.top || box.bottom > view.bottom) {
      container.scrollTop += box.top - view.top - view.height / 2 + box.height / 2;
      container.scrollLeft += box.left - view.left - view.width / 2 + box.width / 2;
    }
  }

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('text-input');
    const text = input.value;
    if (text.trim() === '' || busy) return;
    input.value = '';
    send({ text }, text);
  });
  $('photo-composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('photo-url');
    const url = input.value.trim();
    if (url === '' || busy) return;
    input.value = '';
    send({ photo: url });
  });
  document.querySelectorAll('.controls button').forEach((button) => {
    button.addEventListener('click', () => act('/clock', { by: button.dataset.by }));
  });
  $('reset').addEventListener('click', () => act('/reset', {}));
  $('graph-zoom').addEventListener('click', () => {
    const fit = $('graph').classList.toggle('fit');
    $('graph-zoom').textContent = fit ? texts.ZoomIn : texts.ZoomOut;
    highlight(true);
  });

  if (window.mermaid) {
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'neutral',
      fontFamily: '"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif',
      flowchart: { useMaxWidth: false },
    });
  }

  const events = new EventSource(api + '/events');
  events.addEventListener('message', (event) => {
    const status = JSON.parse(event.data);
    if (lastStamp !== null && status.stamp !== lastStamp) refresh();
    else if (lastStamp === null) lastStamp = status.stamp;
  });

  refresh();
})();
