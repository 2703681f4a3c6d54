// The chat page: history on load, replies by Server-Sent Events, messages by POST.
// Everything a customer or the shop wrote is put in the page as text (textContent), never as HTML.
(function () {
  'use strict';

  var MAX_CHARS = Number(document.body.dataset.maxChars) || 2000;
  var VISITOR_KEY = 'akwaba.visitor';
  var VISITOR_ID = /^[A-Za-z0-9_-]{44}$/;
  var URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+/gi;
  var TEXTS = {
    online: 'En ligne · répond tout de suite',
    reconnecting: 'Connexion perdue · reconnexion…',
    tooLong: 'Votre message est trop long (' + MAX_CHARS + ' caractères au maximum). Pouvez-vous le raccourcir un peu ?',
    offline: 'Le message n’est pas parti : vérifiez votre connexion, puis touchez « Réessayer ».',
    failed: 'Non envoyé · Réessayer',
    photoMissing: 'Photo indisponible',
    choices: 'Choix proposés',
    today: 'Aujourd’hui',
    yesterday: 'Hier',
  };

  var $ = function (id) { return document.getElementById(id); };
  var scroller = $('scroller');
  var list = $('messages');
  var typing = $('typing');
  var notice = $('notice');
  var input = $('input');
  var counter = $('counter');
  var sendButton = $('send');
  var embedded = new URLSearchParams(location.search).get('embed') === '1';

  var visitorId = storedVisitorId(); // issued and signed by the server (POST /chat/visitors)
  var lastEventId = null;
  var rendered = new Set(); // event ids already on the page
  var rows = new Map(); // clientMessageId → row of a message this page sent
  var lastDay = null;
  var lastFrom = null;
  var typingTimer = 0;
  var noticeTimer = 0;
  var source = null;

  function randomId() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function storedVisitorId() {
    try {
      var id = localStorage.getItem(VISITOR_KEY);
      return id && VISITOR_ID.test(id) ? id : null;
    } catch (error) {
      return null; // storage blocked (private mode, third-party frame): this visit only
    }
  }

  /**
   * Asks the server for this visitor's id: the stored one back while it is valid, else a new
   * one. Resolves true when there is one to use; otherwise says why and tries again later.
   */
  function ensureVisitor() {
    return fetch('/chat/visitors', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(visitorId ? { visitorId: visitorId } : {}),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok && body.visitorId && VISITOR_ID.test(body.visitorId)) {
            visitorId = body.visitorId;
            try { localStorage.setItem(VISITOR_KEY, visitorId); } catch (error) { /* this visit only */ }
            return true;
          }
          showNotice(body.message || TEXTS.offline);
          setTimeout(restart, Math.max(5, Number(body.retryAfterSeconds) || 10) * 1000);
          return false;
        });
      })
      .catch(function () {
        setPresence(false);
        setTimeout(restart, 10000);
        return false;
      });
  }

  /** Checks the visitor id again, then reopens the event stream (after the server refused it). */
  function restart() {
    if (source) source.close();
    source = null;
    ensureVisitor().then(function (ok) { if (ok) connect(); });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Text with its http(s) links made clickable; everything else stays plain text. */
  function linkify(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(URL_IN_TEXT, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]»]+$/, '');
      var href = safeUrl(url);
      if (!href) return match;
      fragment.append(text.slice(last, offset));
      var link = element('a', '', url);
      link.href = href;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      fragment.append(link);
      last = offset + url.length;
      return match;
    });
    fragment.append(text.slice(last));
    return fragment;
  }

  function safeUrl(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function timeOf(at) {
    return new Date(at).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  }

  function dayLabel(at) {
    var day = new Date(at);
    var today = new Date();
    var yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (day.toDateString() === today.toDateString()) return TEXTS.today;
    if (day.toDateString() === yesterday.toDateString()) return TEXTS.yesterday;
    return day.toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long' });
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
  }

  function scrollDown() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  /** Adds a row (with a day separator when the day changes) and keeps the newest in view. */
  function addRow(from, at, bubble) {
    var follow = from === 'customer' || nearBottom();
    var day = new Date(at).toDateString();
    if (day !== lastDay) {
      var separator = element('li', 'day');
      separator.append(element('span', '', dayLabel(at)));
      list.append(separator);
      lastDay = day;
      lastFrom = null;
    }
    var row = element('li', 'row ' + from + (from === lastFrom ? ' same' : ' first'));
    row.append(bubble);
    list.append(row);
    lastFrom = from;
    if (follow) scrollDown();
    return row;
  }

  function textBubble(text, at, link) {
    var bubble = element('div', 'bubble');
    bubble.append(linkify(text));
    var href = link && safeUrl(link.url);
    if (href) {
      // A payment link: a button that opens the provider's page in a new tab.
      var button = element('a', 'link-button', link.label);
      button.href = href;
      button.target = '_blank';
      button.rel = 'noopener noreferrer';
      bubble.append(button);
    }
    bubble.append(element('time', 'meta', timeOf(at)));
    return bubble;
  }

  function photoBubble(event) {
    var bubble = element('div', 'bubble');
    var href = safeUrl(event.url);
    if (href) {
      var image = element('img');
      image.alt = event.caption || 'Photo du produit';
      image.loading = 'lazy';
      image.referrerPolicy = 'no-referrer';
      image.addEventListener('error', function () { image.replaceWith(element('div', 'missing', TEXTS.photoMissing)); });
      image.src = href;
      bubble.append(image);
    }
    var caption = element('div', 'caption');
    caption.append(linkify(event.caption));
    caption.append(element('time', 'meta', timeOf(event.at)));
    bubble.append(caption);
    return bubble;
  }

  /** Shows one chat event (from the history or the event stream) once. */
  function show(event) {
    if (rendered.has(event.id)) return;
    rendered.add(event.id);
    if (event.from === 'customer' && rows.has(event.clientMessageId)) {
      setSent(rows.get(event.clientMessageId));
      return;
    }
    if (event.from === 'shop') {
      hideTyping();
      retireChoices();
    }
    if (event.type === 'photo') addRow('shop', event.at, photoBubble(event)).classList.add('photo');
    else {
      var row = addRow(event.from, event.at, textBubble(event.text, event.at, event.link));
      if (event.clientMessageId) rows.set(event.clientMessageId, row);
      if (event.from === 'shop' && Array.isArray(event.buttons) && event.buttons.length > 0) {
        row.append(choices(event.buttons));
        if (nearBottom()) scrollDown();
      }
    }
  }

  /** The shop's choices under its message: each sends its label, with its id as the action. */
  function choices(buttons) {
    var group = element('div', 'choices');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', TEXTS.choices);
    buttons.forEach(function (button) {
      if (typeof button.id !== 'string' || typeof button.label !== 'string') return;
      var choice = element('button', 'choice', button.label);
      choice.type = 'button';
      choice.dataset.action = button.id;
      choice.addEventListener('click', function () {
        group.querySelectorAll('button').forEach(function (other) { other.disabled = true; });
        choice.classList.add('chosen');
        send(button.label, button.id);
      });
      group.append(choice);
    });
    return group;
  }

  /** Choices above a newer shop message no longer apply: they stay visible, greyed out. */
  function retireChoices() {
    list.querySelectorAll('.choices button').forEach(function (button) { button.disabled = true; });
  }

  function showTyping(visibleMs) {
    var follow = nearBottom();
    typing.hidden = false;
    if (follow) scrollDown();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, visibleMs);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { notice.hidden = true; }, 10000);
  }

  function setPresence(online) {
    $('presence').textContent = online ? TEXTS.online : TEXTS.reconnecting;
    document.body.classList.toggle('offline', !online);
  }

  function setSent(row) {
    row.classList.remove('pending', 'failed');
    var retry = row.querySelector('.retry');
    if (retry) retry.remove();
  }

  function setFailed(row, text, clientMessageId, action) {
    row.classList.remove('pending');
    row.classList.add('failed');
    if (row.querySelector('.retry')) return;
    var retry = element('button', 'retry', TEXTS.failed);
    retry.type = 'button';
    retry.addEventListener('click', function () {
      retry.remove();
      row.classList.remove('failed');
      row.classList.add('pending');
      post(text, clientMessageId, row, action);
    });
    row.append(retry);
  }

  /** Sends what the customer typed, or the label of the button pressed (`action`: its id). */
  function send(pressed, action) {
    var text = pressed === undefined ? input.value.trim() : pressed;
    if (!text) return;
    if (text.length > MAX_CHARS) {
      showNotice(TEXTS.tooLong);
      return;
    }
    if (pressed === undefined) {
      input.value = '';
      refreshComposer();
    }
    var clientMessageId = randomId();
    var row = addRow('customer', Date.now(), textBubble(text, Date.now()));
    row.classList.add('pending');
    rows.set(clientMessageId, row);
    post(text, clientMessageId, row, action);
  }

  function post(text, clientMessageId, row, action) {
    var body = { visitorId: visitorId, clientMessageId: clientMessageId, text: text };
    if (action) body.action = action;
    fetch('/chat/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.status === 202) {
            if (body.id) rendered.add(body.id);
            setSent(row);
            notice.hidden = true;
            return;
          }
          if (response.status === 400 && body.error === 'invalid_visitor') {
            // The server no longer knows this id (say, its secret changed): get one, send again.
            visitorId = null;
            ensureVisitor().then(function (ok) {
              if (!ok) return setFailed(row, text, clientMessageId);
              restart();
              post(text, clientMessageId, row);
            });
            return;
          }
          showNotice(body.message || TEXTS.offline);
          if (response.status === 413 || response.status === 400) {
            // Sending it again cannot work: give the text back to be shortened.
            row.remove();
            rows.delete(clientMessageId);
            if (!input.value) input.value = text;
            refreshComposer();
          } else {
            setFailed(row, text, clientMessageId, action);
          }
        });
      })
      .catch(function () {
        setFailed(row, text, clientMessageId, action);
        showNotice(TEXTS.offline);
      });
  }

  function refreshComposer() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 2, 132) + 'px';
    var length = input.value.length;
    sendButton.disabled = input.value.trim() === '';
    counter.hidden = length < MAX_CHARS * 0.8;
    counter.textContent = length + ' / ' + MAX_CHARS;
    counter.classList.toggle('over', length > MAX_CHARS);
  }

  function onChatEvent(message) {
    if (message.lastEventId) lastEventId = message.lastEventId;
    show(JSON.parse(message.data));
  }

  function connect() {
    var url = '/chat/events?visitor=' + encodeURIComponent(visitorId);
    if (lastEventId) url += '&lastEventId=' + encodeURIComponent(lastEventId);
    source = new EventSource(url);
    source.addEventListener('message', onChatEvent);
    source.addEventListener('photo', onChatEvent);
    source.addEventListener('typing', function (message) { showTyping(JSON.parse(message.data).visibleMs); });
    source.addEventListener('open', function () { setPresence(true); });
    source.addEventListener('error', function () {
      setPresence(false);
      // The browser retries by itself unless the server refused the stream; then we do, gently.
      if (source.readyState === EventSource.CLOSED) setTimeout(restart, 5000);
    });
  }

  function start() {
    if (embedded) {
      document.body.classList.add('embedded');
      var close = $('close');
      close.hidden = false;
      close.addEventListener('click', function () { parent.postMessage({ type: 'akwaba:close' }, '*'); });
    }
    $('composer').addEventListener('submit', function (event) {
      event.preventDefault();
      send(undefined, undefined);
      input.focus();
    });
    input.addEventListener('input', refreshComposer);
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send(undefined, undefined);
      }
    });
    refreshComposer();
    ensureVisitor().then(function (ok) {
      if (!ok) return;
      fetch('/chat/history?visitor=' + encodeURIComponent(visitorId))
        .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
        .then(function (history) {
          history.messages.forEach(show);
          lastEventId = history.lastEventId || null;
          scrollDown();
        })
        .catch(function () { /* the event stream sends the history too */ })
        .then(connect);
    });
  }

  start();
})();
