// The owner's dashboard: draws the daily chart from /admin/api/stats and watches for
// customers waiting for a person. Everything else is rendered by the server.
(function () {
  'use strict';

  var COLORS = { conversations: '#4338ca', fallbacks: '#d9480f', recoveries: '#2f9e44' };
  var dayFormat = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  var longFormat = new Intl.DateTimeFormat('fr-FR', { weekday: 'short', day: 'numeric', month: 'long', timeZone: 'UTC' });

  function drawChart(box, stats) {
    if (typeof uPlot !== 'function') return;
    var series = stats.series;
    var xs = series.days.map(function (day) { return Date.parse(day + 'T00:00:00Z') / 1000; });
    var data = [xs, series.conversations, series.fallbacks, series.recoveries];
    function sum(values) { return values.reduce(function (a, b) { return a + b; }, 0); }
    // Away from the chart the legend shows the period's totals; on a day, that day's figures.
    function line(label, color, values, fill) {
      var total = sum(values).toLocaleString('fr-FR');
      return {
        label: label,
        stroke: color,
        width: 2,
        fill: fill,
        points: { show: true, size: 5, fill: color },
        value: function (u, v) { return v == null ? total : v.toLocaleString('fr-FR'); },
      };
    }
    var options = {
      width: Math.max(280, box.clientWidth),
      height: box.clientWidth < 500 ? 220 : 280,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(4, Math.ceil(max * 1.15))]; } } },
      axes: [
        {
          stroke: '#6b7280',
          grid: { show: false },
          values: function (u, splits) { return splits.map(function (s) { return dayFormat.format(new Date(s * 1000)); }); },
        },
        { stroke: '#6b7280', grid: { stroke: '#eeebe4' }, size: 44 },
      ],
      series: [
        { label: 'Période', value: function (u, v) { return v == null ? xs.length + ' jours' : longFormat.format(new Date(v * 1000)); } },
        line('Conversations', COLORS.conversations, series.conversations, 'rgba(67, 56, 202, 0.07)'),
        line('Réponses de secours', COLORS.fallbacks, series.fallbacks),
        line('Récupérations', COLORS.recoveries, series.recoveries),
      ],
    };
    box.textContent = '';
    var chart = new uPlot(options, data, box);
    box.setAttribute('data-drawn', 'true');
    var width = box.clientWidth;
    window.addEventListener('resize', function () {
      if (box.clientWidth === width) return;
      width = box.clientWidth;
      chart.setSize({ width: Math.max(280, width), height: width < 500 ? 220 : 280 });
    });
  }

  function loadChart() {
    var box = document.getElementById('chart');
    if (!box) return;
    fetch(box.getAttribute('data-src'), { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (stats) { drawChart(box, stats); })
      .catch(function () {
        box.textContent = 'Graphique indisponible pour le moment : les chiffres jour par jour sont juste en dessous.';
        box.className += ' muted';
      });
  }

  // A new customer asking for a person shows up without reloading the page by hand.
  function watchHandoffs() {
    var shown = Number(document.body.getAttribute('data-handoffs') || '0');
    var banner = document.getElementById('new-handoff');
    var title = document.title.replace(/^\(\d+\) /, '');
    setInterval(function () {
      fetch('/admin/api/handoffs', { credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body) return;
          var count = body.handoffs.length;
          document.title = (count > 0 ? '(' + count + ') ' : '') + title;
          if (banner) banner.hidden = count <= shown;
        })
        .catch(function () {});
    }, 20000);
  }

  // Every action (confirm, cancel, reply, hand back…) goes as JSON from this page: the server
  // refuses forms and other origins, so no other site can act for the owner.
  function sendActions() {
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (!form.hasAttribute || !form.hasAttribute('data-action')) return;
      event.preventDefault();
      var body = {};
      new FormData(form, event.submitter).forEach(function (value, key) { body[key] = value; });
      var buttons = form.querySelectorAll('button');
      buttons.forEach(function (button) { button.disabled = true; });
      fetch(form.getAttribute('action'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      })
        .then(function (response) { return response.json().catch(function () { return {}; }); })
        .then(function (result) { go(result.location || '/admin?err=action-failed'); })
        .catch(function () {
          buttons.forEach(function (button) { button.disabled = false; });
          go('/admin?err=action-failed');
        });
    });
  }

  // Shows the page the server points to, reloading it even when only the #section differs.
  function go(target) {
    var url = new URL(target, location.href);
    if (url.pathname === location.pathname && url.search === location.search) {
      location.hash = url.hash;
      location.reload();
    } else {
      location.assign(url.href);
    }
  }

  sendActions();
  loadChart();
  watchHandoffs();
})();
