// The shop's chat on any site: <script src="https://bot.example/widget.js" async></script>
// adds a round button that opens the chat page in a frame. Optional: data-label="…", data-color="#0f5b45".
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.akwabaWidget) return;
  var origin = new URL(script.src).origin;
  var label = script.dataset.label || 'Discuter avec la boutique';
  var color = /^#[0-9a-fA-F]{3,8}$/.test(script.dataset.color || '') ? script.dataset.color : '#0f5b45';
  var SVG = 'http://www.w3.org/2000/svg';
  var CHAT_ICON = 'M4 4h16a2 2 0 012 2v10a2 2 0 01-2 2H9l-5 4v-4a2 2 0 01-2-2V6a2 2 0 012-2z';
  var CLOSE_ICON = 'M6 6l12 12M18 6L6 18';

  var button = document.createElement('button');
  var icon = document.createElementNS(SVG, 'svg');
  var path = document.createElementNS(SVG, 'path');
  var panel = document.createElement('div');
  var frame = null;
  var open = false;

  function style(node, rules) {
    Object.keys(rules).forEach(function (name) { node.style.setProperty(name, rules[name], 'important'); });
  }

  function drawIcon() {
    path.setAttribute('d', open ? CLOSE_ICON : CHAT_ICON);
    path.setAttribute('fill', open ? 'none' : '#fff');
    path.setAttribute('stroke', open ? '#fff' : 'none');
    path.setAttribute('stroke-width', '2.4');
    path.setAttribute('stroke-linecap', 'round');
    button.setAttribute('aria-label', open ? 'Fermer la discussion' : label);
    button.setAttribute('aria-expanded', String(open));
    button.title = open ? 'Fermer' : label;
  }

  function layout() {
    var phone = window.matchMedia('(max-width: 480px)').matches;
    style(panel, phone
      ? { inset: '0', width: '100%', height: '100%', 'border-radius': '0' }
      : { inset: 'auto 20px 92px auto', width: '380px', height: 'min(640px, calc(100vh - 120px))', 'border-radius': '16px' });
    style(button, { display: phone && open ? 'none' : 'grid' });
  }

  function toggle(wanted) {
    open = wanted;
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.src = origin + '/?embed=1';
      frame.title = label;
      frame.allow = 'clipboard-write';
      style(frame, { width: '100%', height: '100%', border: '0', display: 'block', background: '#f6f1e9' });
      panel.append(frame);
    }
    style(panel, { display: open ? 'block' : 'none' });
    drawIcon();
    layout();
  }

  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  style(icon, { width: '28px', height: '28px' });
  icon.append(path);
  button.type = 'button';
  button.append(icon);
  style(button, {
    position: 'fixed', right: '20px', bottom: '20px', 'z-index': '2147483000', width: '60px', height: '60px',
    'place-items': 'center', padding: '0', border: '0', 'border-radius': '50%', background: color, cursor: 'pointer',
    'box-shadow': '0 6px 20px rgba(0,0,0,.22)',
  });
  style(panel, {
    position: 'fixed', 'z-index': '2147483000', display: 'none', overflow: 'hidden', background: '#f6f1e9',
    'box-shadow': '0 12px 48px rgba(0,0,0,.25)',
  });
  button.addEventListener('click', function () { toggle(!open); });
  window.addEventListener('message', function (event) {
    if (event.origin === origin && event.data && event.data.type === 'akwaba:close') toggle(false);
  });
  window.addEventListener('resize', layout);
  window.akwabaWidget = { open: function () { toggle(true); }, close: function () { toggle(false); } };
  drawIcon();
  layout();
  if (document.body) document.body.append(panel, button);
  else document.addEventListener('DOMContentLoaded', function () { document.body.append(panel, button); });
})();
