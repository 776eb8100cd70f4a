/* needminer report page. Renders the embedded JSON with createElement/textContent only:
   chat text is data, never markup. No network access of any kind. */
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('data').textContent);
  var UI = DATA.ui;
  var SVGNS = document.getElementById('svgns').namespaceURI; // the HTML parser's own SVG namespace
  var PAGE = 20; // cards per batch; more are rendered as the list scrolls into view
  var COLORS = ['--f1', '--f2', '--f3', '--f4', '--f5', '--f6', '--f7', '--f8'];
  var needs = DATA.needs;
  var chats = DATA.chats;
  var byId = new Map();
  var cards = new Map();
  var dots = new Map();
  var state = { q: '', chat: '', show: 'all', domain: '', sig: '', period: '', sort: 'score' };
  var SIG = DATA.signals; // {labels: need-bearing signal labels, min: share a filtered label must reach, on}
  var PERIOD = DATA.period; // {days, options: [[n, label]], help}
  var view = [];
  var rendered = 0;
  var uid = 0;

  // ------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function sv(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    return e;
  }

  function fmt(tpl, vals) {
    return String(tpl).replace(/\{(\w+)\}/g, function (m, k) { return k in vals ? String(vals[k]) : m; });
  }

  function num(x, digits) {
    if (typeof x !== 'number' || !isFinite(x)) return '–';
    if (Number.isInteger(x)) return x.toLocaleString();
    return x.toFixed(digits === undefined ? 2 : digits);
  }

  var cssCache = {};
  function cssVar(name) { // read once: getComputedStyle per card would force a style recalc each time
    if (!(name in cssCache)) cssCache[name] = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
    return cssCache[name];
  }

  var maxScore = needs.reduce(function (m, n) { return Math.max(m, n.score || 0); }, 0) || 1;

  // Lower-case search text, built once so each keystroke is a plain substring scan.
  needs.forEach(function (n, i) {
    n.idx = i;
    byId.set(n.id, n);
    var parts = [n.id, n.title, n.statement, n.domain].concat(n.keywords);
    n.slots.forEach(function (s) { parts.push(s[1]); });
    n.chats.forEach(function (c) { parts.push(chats[c]); });
    n.ev.forEach(function (q) { parts.push(q[1], q[3] + q[4] + q[5], q[6]); });
    n.brief.co.forEach(function (p) { parts.push(p[0]); });
    n.search = parts.join('\n').toLowerCase();
  });

  // ------------------------------------------------------------ header, footer, panels
  function renderSummary() {
    var s = DATA.summary;
    var dl = $('summary');
    function item(label, value, title, small) {
      if (value === null || value === undefined || value === '') return;
      var d = el('div');
      d.appendChild(el('dt', null, label));
      var dd = el('dd', small ? 'small' : null, value);
      if (title) dd.title = title;
      d.appendChild(dd);
      dl.appendChild(d);
    }
    item(UI.sum_inputs, s.inputs, (s.inputNames || []).join('\n'));
    item(UI.sum_messages, s.messages);
    item(UI.sum_needs, num(s.needs));
    if (s.below) item(UI.sum_below, num(s.below));
    item(UI.sum_chats, num(s.chats));
    item(UI.sum_speakers, num(s.speakers));
    item(UI.sum_coverage, s.coverage);
    if (s.period) item(UI.sum_period, s.period[0] === s.period[1] ? s.period[0] : s.period[0] + ' – ' + s.period[1], null, true);
    if (s.generated) $('generated').textContent = UI.sum_generated + UI.colon + s.generated + ' (' + DATA.tz + ')';
  }

  function kvRows(table, rows) {
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', null, r[0]));
      tr.appendChild(el('td', null, r[1]));
      table.appendChild(tr);
    });
  }

  function renderFooter() {
    $('formula').textContent = DATA.formula || '–';
    kvRows($('config'), DATA.config);
    kvRows($('versions'), DATA.versions);
  }

  function dataTable(columns, rows, numeric) { // columns: [label]; rows: [[cell]] (cells: text or Node)
    var wrap = el('div', 'tablewrap');
    var table = el('table', 'data');
    var tr = el('tr');
    columns.forEach(function (c, i) {
      var short = String(c).split(/（| \(/)[0];
      var th = el('th', numeric && numeric(i) ? 'num' : null, short);
      if (short !== c) th.title = c;
      th.scope = 'col';
      tr.appendChild(th);
    });
    table.appendChild(el('thead')).appendChild(tr);
    var body = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) {
        var td = el('td', numeric && numeric(i) ? 'num' : null);
        if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? '' : String(c);
        row.appendChild(td);
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  function hval(kind, v) {
    if (typeof v !== 'number' || !isFinite(v)) return '–';
    if (kind === 'share') return (v * 100).toFixed(1) + '%';
    if (kind === 'float') return v.toFixed(2);
    return v.toLocaleString();
  }

  function shareCell(kind, v, warn) { // number with a small inline bar for shares
    if (kind !== 'share' || typeof v !== 'number') return hval(kind, v);
    var span = el('span', 'sharecell' + (warn ? ' warn' : ''));
    var track = el('span', 'track');
    var bar = el('i');
    bar.style.width = Math.max(0, Math.min(100, v * 100)).toFixed(1) + '%';
    track.appendChild(bar);
    span.appendChild(track);
    span.appendChild(el('b', null, hval(kind, v)));
    return span;
  }

  var WARN = { noise_share: 1, ad_share: 1, silent_churn: 1, silent_members: 1 };

  function weeklyChart(cols, rows) {
    var W = 1000, H = 220, L = 44, R = 44, T = 14, B = 34;
    var ci = {};
    cols.forEach(function (c, i) { ci[c[0]] = i + 2; });
    var msgs = rows.map(function (r) { return r[ci.messages] || 0; });
    var maxM = Math.max.apply(null, msgs.concat([1]));
    var n = rows.length, step = (W - L - R) / Math.max(1, n), bw = Math.max(1, Math.min(40, step * 0.7));
    var s = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, 'class': 'wchart', role: 'img' });
    s.setAttribute('aria-label', UI.h_weekly + ': ' + rows.map(function (r, i) { return r[0] + ' ' + msgs[i]; }).join(', '));
    function Y(v) { return H - B - (v / maxM) * (H - T - B); }
    function P(v) { return H - B - v * (H - T - B); }
    for (var g = 0; g <= 4; g++) {
      var y = T + (H - T - B) * g / 4;
      s.appendChild(sv('line', { x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid' }));
      var tl = sv('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', 'class': 'tick' });
      tl.textContent = String(Math.round(maxM * (4 - g) / 4));
      s.appendChild(tl);
      var tr = sv('text', { x: W - R + 6, y: y + 4, 'class': 'tick' });
      tr.textContent = (100 * (4 - g) / 4) + '%';
      s.appendChild(tr);
    }
    rows.forEach(function (r, i) {
      var x = L + step * i + (step - bw) / 2;
      var b = sv('rect', { x: x.toFixed(1), y: Y(msgs[i]).toFixed(1), width: bw.toFixed(1), height: Math.max(0, H - B - Y(msgs[i])).toFixed(1), 'class': 'wbar' + (r[ci.silent_churn] > 0 ? ' churn' : '') });
      var tt = sv('title', {});
      tt.textContent = r[0] + ' · ' + UI.h_messages + ' ' + msgs[i] + ' · ' + UI.h_high_quality_interaction_share + ' ' + hval('share', r[ci.high_quality_interaction_share]) +
        ' · ' + UI.h_noise_share + ' ' + hval('share', r[ci.noise_share]) + ' · ' + UI.h_silent_churn + ' ' + (r[ci.silent_churn] || 0);
      b.appendChild(tt);
      s.appendChild(b);
    });
    function line(key, cls) {
      var pts = [];
      rows.forEach(function (r, i) { if (msgs[i] > 0) pts.push((L + step * i + step / 2).toFixed(1) + ',' + P(r[ci[key]] || 0).toFixed(1)); });
      if (pts.length > 1) s.appendChild(sv('polyline', { points: pts.join(' '), 'class': cls }));
      pts.forEach(function (p) { var xy = p.split(','); s.appendChild(sv('circle', { cx: xy[0], cy: xy[1], r: 2.5, 'class': cls + ' pt' })); });
    }
    line('noise_share', 'wline noise');
    line('high_quality_interaction_share', 'wline hq');
    var every = Math.max(1, Math.ceil(n / 12));
    rows.forEach(function (r, i) {
      var last = i === n - 1 && (n - 1) % every >= every / 2;
      if (i % every && !last) return;
      var t = sv('text', { x: (L + step * i + step / 2).toFixed(1), y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick' });
      t.textContent = r[0];
      s.appendChild(t);
    });
    s.appendChild(sv('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis' }));
    return s;
  }

  function renderHealthPanel(P, box) {
    var cols = P.columns;
    var kpis = el('dl', 'kpis');
    cols.forEach(function (c, i) {
      if (c[0] === 'reply_depth_max' || c[0] === 'need_share') return;
      var d = el('div', WARN[c[0]] && P.overall[i] > 0 && (c[2] !== 'share' || P.overall[i] >= 0.3) ? 'warn' : null);
      d.appendChild(el('dt', null, c[1]));
      d.appendChild(el('dd', null, hval(c[2], P.overall[i])));
      kpis.appendChild(d);
    });
    box.appendChild(kpis);
    box.appendChild(el('p', 'hint', P.params));

    if (P.chats.length) {
      box.appendChild(el('h3', 'tbl', UI.h_per_chat));
      var rows = P.chats.map(function (c) {
        return [c[0]].concat(c[1].map(function (v, i) { return shareCell(cols[i][2], v, WARN[cols[i][0]] && v >= 0.3); })).concat([c[2] || '']);
      });
      rows.push([UI.h_overall].concat(P.overall.map(function (v, i) { return shareCell(cols[i][2], v); })).concat([P.period[1] || '']));
      var t = dataTable([UI.h_chat].concat(cols.map(function (c) { return c[1]; })).concat([UI.h_last_period]), rows,
        function (i) { return i > 0 && i <= cols.length; });
      t.classList.add('chats');
      t.querySelector('tbody tr:last-child').className = 'total';
      box.appendChild(t);
    }

    if (P.weekly.length) {
      var head = el('div', 'panel-head');
      head.appendChild(el('h3', 'tbl', UI.h_weekly));
      var f = el('div', 'field inline');
      var lab = el('label', null, UI.h_scope);
      lab.htmlFor = 'h-scope';
      var sel = el('select');
      sel.id = 'h-scope';
      P.weekly.forEach(function (w, i) { var o = el('option', null, w[1]); o.value = String(i); sel.appendChild(o); });
      f.appendChild(lab);
      f.appendChild(sel);
      head.appendChild(f);
      box.appendChild(head);
      var legend = el('div', 'wlegend');
      [['wbar', UI.h_chart_bars], ['wbar churn', UI.h_chart_churn], ['wline hq', UI.h_chart_line_hq], ['wline noise', UI.h_chart_line_noise]].forEach(function (l) {
        var it = el('span');
        it.appendChild(el('i', l[0]));
        it.appendChild(document.createTextNode(l[1]));
        legend.appendChild(it);
      });
      box.appendChild(legend);
      var chartBox = el('div', 'wchartbox');
      box.appendChild(chartBox);
      var det = el('details', 'weekly');
      det.appendChild(el('summary', null, UI.h_weekly_table));
      var tableBox = el('div');
      det.appendChild(tableBox);
      box.appendChild(det);
      var wc = P.weekCols;
      var draw = function () {
        var w = P.weekly[Number(sel.value) || 0];
        chartBox.replaceChildren(weeklyChart(wc, w[2]));
        var rows2 = w[2].slice().reverse().map(function (r) {
          return [r[0], r[1]].concat(r.slice(2).map(function (v, i) { return hval(wc[i][2], v); }));
        });
        tableBox.replaceChildren(dataTable([UI.h_period, ''].concat(wc.map(function (c) { return c[1]; })), rows2,
          function (i) { return i > 1; }));
        if (P.weeksCap && w[2].length >= P.weeksCap) tableBox.appendChild(el('p', 'hint', fmt(UI.h_weeks_capped, { n: P.weeksCap })));
      };
      sel.addEventListener('change', draw);
      draw();
    }

    box.appendChild(el('h3', 'tbl', UI.h_churn_title + ' · ' + P.churnTotal));
    if (!P.churn.length) { box.appendChild(el('p', 'hint', UI.h_churn_empty)); return; }
    box.appendChild(el('p', 'hint', P.churnHint));
    var crow = P.churn.map(function (c) {
      var code = el('code', null, c[6]);
      code.title = UI.message_id;
      return [c[0], c[1], c[2], c[3], hval('int', c[4]), c[5] ? UI.h_yes : UI.h_no, code];
    });
    var ct = dataTable([UI.h_speaker, UI.h_chat, UI.h_when, UI.h_label, UI.h_days_silent, UI.h_returned, UI.message_id], crow,
      function (i) { return i === 4; });
    ct.classList.add('churn');
    box.appendChild(ct);
    if (P.churnTotal > P.churn.length) box.appendChild(el('p', 'capnote', fmt(UI.h_churn_more, { n: P.churnTotal - P.churn.length })));
  }

  function renderHealth() {
    var box = $('health');
    if (DATA.healthPanel) { renderHealthPanel(DATA.healthPanel, box); return; }
    if (!DATA.health.length) { box.appendChild(el('p', 'hint', UI.health_empty)); return; }
    DATA.health.forEach(function (t) {
      if (t.title) box.appendChild(el('h3', 'tbl', t.title));
      box.appendChild(dataTable(t.columns, t.rows, null));
    });
    box.querySelectorAll('td').forEach(function (td) { if (td.cellIndex > 0 && /^-?[\d.,]+%?$/.test(td.textContent)) td.className = 'num'; });
    box.querySelectorAll('th').forEach(function (th) { if (th.cellIndex > 0) th.className = 'num'; });
  }

  function quoteItem(q) {
    var li = el('li', 'quote');
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'who', q[1]));
    if (q[2]) meta.appendChild(el('time', null, q[2]));
    meta.appendChild(el('span', null, chats[q[0]]));
    var code = el('code', null, q[6]);
    code.title = UI.message_id;
    meta.appendChild(code);
    li.appendChild(meta);
    var p = el('p');
    p.appendChild(document.createTextNode(q[3]));
    if (q[4]) p.appendChild(el('mark', null, q[4]));
    p.appendChild(document.createTextNode(q[5]));
    li.appendChild(p);
    return li;
  }

  function renderUnclustered() {
    var ul = $('unclustered');
    if (!DATA.unclustered.length) { ul.appendChild(el('li', 'hint', UI.unclustered_empty)); return; }
    DATA.unclustered.forEach(function (q) { ul.appendChild(quoteItem(q)); });
    if (DATA.unclusteredTotal > DATA.unclustered.length) {
      ul.appendChild(el('li', 'capnote', fmt(UI.evidence_capped, { shown: DATA.unclustered.length, total: DATA.unclusteredTotal })));
    }
  }

  // ------------------------------------------------------------ need cards
  function sparkline(n) {
    var t = n.trend;
    if (!t || t.length < 2) return null;
    var w = 84, h = 22, max = Math.max.apply(null, t.concat([1]));
    var pts = t.map(function (v, i) {
      return (i * (w - 2) / (t.length - 1) + 1).toFixed(1) + ',' + (h - 2 - (v / max) * (h - 4)).toFixed(1);
    });
    var s = sv('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'class': 'spark' + (n.emerging ? ' emerging' : ''), role: 'img' });
    s.setAttribute('aria-label', UI.trend + ': ' + t.join(', '));
    s.appendChild(sv('polygon', { 'class': 'area', points: '1,' + (h - 2) + ' ' + pts.join(' ') + ' ' + (w - 1) + ',' + (h - 2) }));
    s.appendChild(sv('polyline', { points: pts.join(' ') }));
    return s;
  }

  // ------------------------------------------------------------ signal mix and period window
  function needBearing(n) {
    return SIG.labels.reduce(function (a, k) { return a + (n.mix[k] || 0); }, 0);
  }

  // The signal filter keeps a need when the label has >= 1 fragment and >= SIG.min of its
  // need-bearing (pain + wish + question) fragments.
  function hasSignal(n, label) {
    var c = n.mix[label] || 0;
    return c >= 1 && c >= SIG.min * needBearing(n) - 1e-9;
  }

  function inWindow(n, k) { // fragments in the last k periods (trend is oldest first)
    var t = n.trend, s = 0;
    for (var i = Math.max(0, t.length - k); i < t.length; i++) s += t[i] || 0;
    return s;
  }

  function periodName(k) {
    for (var i = 0; i < PERIOD.options.length; i++) if (String(PERIOD.options[i][0]) === String(k)) return PERIOD.options[i][1];
    return String(k);
  }

  function mixLine(n) { // "抱怨 12 · 期望 5 · 提问 3"; the full mix (praise, noise …) in the tooltip
    var keys = Object.keys(n.mix);
    if (!keys.length) return null;
    var s = el('span', 'mix');
    s.title = UI.sig_mix + UI.colon + keys.map(function (k) { return (UI['sig_' + k] || k) + ' ' + n.mix[k]; }).join(' · ');
    var shown = SIG.labels.filter(function (k) { return n.mix[k] > 0; });
    if (!shown.length) shown = keys;
    shown.forEach(function (k, i) {
      if (i) s.appendChild(document.createTextNode(' · '));
      var part = el('span', state.sig === k ? 'on' : null, (UI['sig_' + k] || k) + ' ');
      part.appendChild(el('b', null, num(n.mix[k])));
      s.appendChild(part);
    });
    return s;
  }

  function metric(parent, label, value) {
    var s = el('span', null, label + ' ');
    s.appendChild(el('b', null, value));
    parent.appendChild(s);
  }

  function scoreBox(n) {
    var box = el('div', 'scorebox');
    var line = el('div', 'scoreline');
    metric(line, UI.score, num(n.score));
    var bar = el('div', 'bar');
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', UI.factors);
    // f = [key, label, value, contribution, raw]; contributions (known when the run's weights are)
    // add up to the score, and then unweighted factors stay out of the bar.
    var weighted = n.factors.some(function (f) { return typeof f[3] === 'number'; });
    function part(f) { return weighted ? f[3] : f[2]; }
    var pos = n.factors.filter(function (f) { return typeof part(f) === 'number' && part(f) > 0; });
    var total = pos.reduce(function (a, f) { return a + part(f); }, 0);
    var width = Math.max(0, Math.min(1, (n.score || 0) / maxScore)) * 100;
    var legend = el('div', 'legend');
    n.factors.forEach(function (f, i) {
      var color = cssVar(COLORS[i % COLORS.length]);
      if (total > 0 && typeof part(f) === 'number' && part(f) > 0) {
        var seg = el('span');
        seg.style.width = (width * part(f) / total).toFixed(2) + '%';
        seg.style.background = color;
        seg.title = f[1] + ': ' + num(f[2]) + (typeof f[3] === 'number' ? ' → +' + num(f[3], 1) : '');
        bar.appendChild(seg);
      }
      var item = el('span');
      var sw = el('i');
      sw.style.background = color;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(f[1] + ' '));
      item.appendChild(el('b', null, num(f[2])));
      if (typeof f[4] === 'number') item.appendChild(document.createTextNode(' (' + num(f[4]) + ')'));
      if (weighted && typeof f[3] !== 'number') item.classList.add('unweighted');
      legend.appendChild(item);
    });
    if (!pos.length) {
      var seg0 = el('span');
      seg0.style.width = width.toFixed(2) + '%';
      seg0.style.background = cssVar('--f1');
      bar.appendChild(seg0);
    }
    line.appendChild(bar);
    box.appendChild(line);
    box.appendChild(legend);
    return box;
  }

  function renderQuotes(n, ul) {
    n.ev.forEach(function (q) { ul.appendChild(quoteItem(q)); });
    if (n.evTotal > n.ev.length) {
      ul.appendChild(el('li', 'capnote', fmt(UI.evidence_capped, { shown: n.ev.length, total: n.evTotal })));
    }
  }

  function setExpanded(card, open) {
    var btn = card.querySelector('.toggle');
    var ul = card.querySelector('.quotes');
    if (!btn) return;
    if (open && !ul.firstChild) renderQuotes(byId.get(card.dataset.need), ul);
    ul.hidden = !open;
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    btn.textContent = open ? UI.hide_evidence : fmt(UI.show_evidence, { n: byId.get(card.dataset.need).evTotal });
  }

  function briefBox(n) {
    var b = n.brief;
    var box = el('div', 'brief conf-' + b.conf);
    var head = el('div', 'brief-head');
    head.appendChild(el('h4', null, UI.brief_title));
    var conf = el('span', 'conf', UI.brief_conf + UI.colon + (UI['conf_' + b.conf] || b.conf));
    head.appendChild(conf);
    box.appendChild(head);
    var ol = el('ul', 'qs');
    b.q.forEach(function (q) { ol.appendChild(el('li', null, q)); });
    box.appendChild(ol);
    if (b.co.length) {
      var co = el('div', 'co');
      co.appendChild(el('h4', null, UI.co_title));
      var ul = el('ul', 'people');
      ul.setAttribute('aria-label', UI.co_title);
      b.co.forEach(function (p) {
        var li = el('li');
        li.appendChild(el('b', null, p[0]));
        var t = b.coRun ? UI.co_fragments + ' ' + p[1] + ' · ' + UI.co_endorsements + ' ' + p[2] + ' · ' + UI.co_replies + ' ' + p[3]
          : UI.co_fragments + ' ' + p[1];
        li.appendChild(el('span', null, t));
        li.title = UI.co_total + ' ' + p[4];
        ul.appendChild(li);
      });
      co.appendChild(ul);
      co.appendChild(el('p', 'hint', b.coRun ? UI.co_hint : UI.co_hint_quotes));
      box.appendChild(co);
    }
    if (b.cav.length) {
      var cav = el('div', 'cav');
      cav.appendChild(el('h4', null, UI.brief_caveats));
      var cl = el('ul');
      b.cav.forEach(function (c) { cl.appendChild(el('li', null, c)); });
      cav.appendChild(cl);
      box.appendChild(cav);
    }
    return box;
  }

  function card(n) {
    var li = el('li', 'card');
    li.dataset.need = n.id;
    li.tabIndex = -1;
    var head = el('div', 'card-head');
    var rank = el('div', 'rank', n.rank);
    rank.title = fmt(UI.rank, { n: n.rank });
    head.appendChild(rank);
    var main = el('div', 'card-main');
    var tr = el('div', 'title-row');
    var h = el('h3', null, n.title);
    h.id = 'nt' + (++uid);
    tr.appendChild(h);
    if (n.emerging) tr.appendChild(el('span', 'badge', UI.emerging));
    if (n.thin) tr.appendChild(el('span', 'badge thin', UI.thin));
    if (n.below) tr.appendChild(el('span', 'badge below', n.below));
    (n.cur || []).forEach(function (t) { var b = el('span', 'badge cur', t); b.title = UI.curation; tr.appendChild(b); });
    main.appendChild(tr);
    li.setAttribute('aria-labelledby', h.id);
    if (n.statement && n.statement !== n.title) main.appendChild(el('p', 'statement', n.statement));

    var m = el('div', 'metrics');
    metric(m, UI.speakers, num(n.speakers));
    metric(m, UI.chats, num(n.chats.length));
    metric(m, UI.endorsements, num(n.endorsements));
    var sp = sparkline(n);
    if (sp) { var ts = el('span', null, UI.trend + ' '); ts.appendChild(sp); m.appendChild(ts); }
    if (n.lastShown) m.appendChild(el('span', null, n.lastShown));
    var mx = mixLine(n);
    if (mx) m.appendChild(mx);
    if (state.period) {
      var win = el('span', 'inwin', UI.in_window + ' ');
      win.appendChild(el('b', null, num(inWindow(n, Number(state.period)))));
      win.title = fmt(UI.in_window_title, { window: periodName(state.period) });
      m.appendChild(win);
    }
    main.appendChild(m);
    main.appendChild(scoreBox(n));

    if (n.slots.length) {
      var dl = el('dl', 'slots');
      dl.setAttribute('aria-label', UI.slots_title);
      n.slots.forEach(function (s) {
        dl.appendChild(el('dt', null, UI[s[0]] || s[0]));
        dl.appendChild(el('dd', null, s[1]));
      });
      if (n.domain) { dl.appendChild(el('dt', null, UI.domain_label)); dl.appendChild(el('dd', null, n.domain)); }
      main.appendChild(dl);
    }
    if (n.keywords.length) {
      var kw = el('ul', 'kw');
      kw.setAttribute('aria-label', UI.keywords);
      n.keywords.forEach(function (k) { kw.appendChild(el('li', null, k)); });
      main.appendChild(kw);
    }
    if (n.chats.length) {
      main.appendChild(el('div', 'chatlist', UI.chats + UI.colon + n.chats.map(function (c) { return chats[c]; }).join(UI.sep)));
    }
    main.appendChild(briefBox(n));
    if (n.ev.length) {
      var qid = 'ev' + (++uid);
      var btn = el('button', 'toggle');
      btn.type = 'button';
      btn.setAttribute('aria-controls', qid);
      btn.addEventListener('click', function () { setExpanded(li, btn.getAttribute('aria-expanded') !== 'true'); });
      main.appendChild(btn);
      var ul = el('ul', 'quotes');
      ul.id = qid;
      ul.setAttribute('aria-label', UI.evidence);
      main.appendChild(ul);
    }
    head.appendChild(main);
    li.appendChild(head);
    if (n.ev.length) setExpanded(li, false);
    return li;
  }

  // ------------------------------------------------------------ filtering, sorting, paging
  var SORTS = {
    score: function (a, b) { return a.idx - b.idx; },
    speakers: function (a, b) { return b.speakers - a.speakers || a.idx - b.idx; },
    recency: function (a, b) { return b.last - a.last || a.idx - b.idx; },
    endorsements: function (a, b) { return b.endorsements - a.endorsements || a.idx - b.idx; }
  };

  function matches(n, terms, chat) {
    if (chat !== null && n.chats.indexOf(chat) < 0) return false;
    if (state.show === 'emerging' && !n.emerging) return false;
    if (state.show === 'strong' && n.thin) return false;
    if (state.show === 'thin' && !n.thin) return false;
    if (state.show === 'listed' && n.below) return false;
    if (state.domain && n.domain !== state.domain) return false;
    if (state.sig && !hasSignal(n, state.sig)) return false;
    if (state.period && inWindow(n, Number(state.period)) < 1) return false;
    for (var i = 0; i < terms.length; i++) if (n.search.indexOf(terms[i]) < 0) return false;
    return true;
  }

  function apply() {
    var t0 = performance.now();
    var terms = state.q.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var chat = state.chat === '' ? null : Number(state.chat);
    view = needs.filter(function (n) { return matches(n, terms, chat); }).sort(SORTS[state.sort] || SORTS.score);
    $('needs').replaceChildren();
    cards.clear();
    rendered = 0;
    renderMore();
    $('count').textContent = fmt(UI.count_fmt, { shown: view.length, total: needs.length });
    $('empty').hidden = view.length > 0;
    $('f-sig-help').hidden = !state.sig;
    $('f-period-help').hidden = !state.period;
    var visible = new Set(view.map(function (n) { return n.id; }));
    dots.forEach(function (d, id) { d.classList.toggle('dim', !visible.has(id)); });
    document.body.dataset.filterMs = (performance.now() - t0).toFixed(1);
    writeHash();
  }

  // ------------------------------------------------------------ shareable state in the URL hash
  // #q=…&chat=<chat name>&show=emerging&domain=…&sig=pain&period=4&sort=speakers&need=<id>;
  // defaults are left out.
  var DEFAULTS = { q: '', chat: '', show: 'all', domain: '', sig: '', period: '', sort: 'score' };
  var hashing = false;

  function readHash() {
    var raw = location.hash.replace(/^#/, '');
    var p;
    try { p = new URLSearchParams(raw); } catch (e) { return null; }
    var next = { q: '', chat: '', show: 'all', domain: '', sig: '', period: '', sort: state.sort };
    if (p.has('q')) next.q = p.get('q');
    if (p.has('chat')) {
      var i = chats.indexOf(p.get('chat'));
      if (i >= 0) next.chat = String(i);
    }
    if (p.has('show') && ['all', 'listed', 'emerging', 'strong', 'thin'].indexOf(p.get('show')) >= 0) next.show = p.get('show');
    if (p.has('domain')) next.domain = p.get('domain');
    if (p.has('sig')) next.sig = p.get('sig');
    if (p.has('period')) next.period = p.get('period');
    if (p.has('sort') && SORTS[p.get('sort')]) next.sort = p.get('sort');
    state = next;
    setControls();
    state.domain = $('f-domain').value; // an unknown domain falls back to "all"
    state.chat = $('f-chat').value;
    state.sig = SIG.on ? $('f-sig').value : ''; // unknown values (or filters this page lacks) fall back to "all"
    state.period = $('f-period').value;
    setControls(); // a select given an unknown value shows nothing: show the "all" it fell back to
    return p.get('need');
  }

  function writeHash() {
    if (hashing) return;
    var p = new URLSearchParams();
    Object.keys(DEFAULTS).forEach(function (k) {
      if (state[k] === DEFAULTS[k]) return;
      p.set(k, k === 'chat' ? chats[Number(state.chat)] : state[k]);
    });
    var h = p.toString();
    if (h === location.hash.replace(/^#/, '')) return;
    try { history.replaceState(null, '', h ? '#' + h : location.pathname + location.search); } catch (e) { /* opaque origin */ }
  }

  function renderMore() {
    var list = $('needs');
    var frag = document.createDocumentFragment();
    var end = Math.min(view.length, rendered + PAGE);
    for (; rendered < end; rendered++) {
      var c = card(view[rendered]);
      cards.set(view[rendered].id, c);
      frag.appendChild(c);
    }
    list.appendChild(frag);
    $('more').hidden = rendered >= view.length;
  }

  function renderAll() { while (rendered < view.length) renderMore(); }

  function setControls() {
    $('q').value = state.q;
    $('f-chat').value = state.chat;
    $('f-show').value = state.show;
    $('f-domain').value = state.domain;
    $('f-sig').value = state.sig;
    $('f-period').value = state.period;
    $('f-sort').value = state.sort;
  }

  function reset() {
    state = { q: '', chat: '', show: 'all', domain: '', sig: '', period: '', sort: state.sort };
    setControls();
    apply();
  }

  var calm = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  function reveal(id, instant) {
    var n = byId.get(id);
    if (!n) return;
    if (view.indexOf(n) < 0) reset();
    var pos = view.indexOf(n);
    while (rendered <= pos) renderMore();
    var c = cards.get(id);
    if (!c) return;
    setExpanded(c, true);
    var bar = document.querySelector('.controls'); // sticky filter bar: keep the card's top clear of it
    c.style.scrollMarginTop = getComputedStyle(bar).position === 'sticky' ? (bar.offsetHeight + 16) + 'px' : '';
    c.scrollIntoView({ block: 'start', behavior: instant || calm ? 'auto' : 'smooth' });
    c.classList.add('flash');
    setTimeout(function () { c.classList.remove('flash'); }, 1600);
    var btn = c.querySelector('.toggle');
    (btn || c).focus({ preventScroll: true });
  }

  // ------------------------------------------------------------ need map (inline SVG scatter)
  function renderMap() {
    var sel = $('map-y');
    var names = DATA.factorNames;
    var box = $('map');
    if (!needs.length) { box.appendChild(el('p', 'hint', UI.map_empty)); sel.disabled = true; return; }
    names.forEach(function (f) { var o = el('option', null, f[1]); o.value = f[0]; sel.appendChild(o); });
    var o = el('option', null, UI.score); o.value = '__score'; sel.appendChild(o);
    var keys = names.map(function (f) { return f[0]; });
    sel.value = keys.indexOf('intensity') >= 0 ? 'intensity' : keys.indexOf('growth') >= 0 ? 'growth' : '__score';
    sel.addEventListener('change', drawMap);
    drawMap();
  }

  function yValue(n, key) {
    if (key === '__score') return n.score || 0;
    for (var i = 0; i < n.factors.length; i++) if (n.factors[i][0] === key) return n.factors[i][2] || 0;
    return 0;
  }

  function drawMap() {
    var key = $('map-y').value;
    var box = $('map');
    var old = box.querySelector('svg.chart');
    if (old) old.remove();
    dots.clear();
    var W = 1000, H = 340, L = 48, R = 20, T = 16, B = 36;
    var maxX = Math.log1p(needs.reduce(function (m, n) { return Math.max(m, n.speakers); }, 1)) * 1.06;
    var ys = needs.map(function (n) { return yValue(n, key); });
    var minY = Math.min(0, Math.min.apply(null, ys)), maxY = Math.max.apply(null, ys.concat([minY + 1e-9]));
    maxY += (maxY - minY) * 0.08; // headroom so the largest dots are not clipped
    function X(v) { return L + (Math.log1p(v) / maxX) * (W - L - R); }
    function Y(v) { return H - B - ((v - minY) / (maxY - minY)) * (H - T - B); }
    var s = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart', role: 'group' });
    s.setAttribute('aria-label', UI.map_title);
    [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].forEach(function (v) {
      if (Math.log1p(v) > maxX * 1.001) return;
      s.appendChild(sv('line', { x1: X(v), x2: X(v), y1: T, y2: H - B, 'class': 'grid' }));
      var t = sv('text', { x: X(v), y: H - B + 16, 'text-anchor': 'middle', 'class': 'tick' });
      t.textContent = String(v);
      s.appendChild(t);
    });
    for (var i = 0; i <= 4; i++) {
      var v = minY + (maxY - minY) * i / 4;
      s.appendChild(sv('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), 'class': 'grid' }));
      var t2 = sv('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', 'class': 'tick' });
      t2.textContent = num(v, 2);
      s.appendChild(t2);
    }
    s.appendChild(sv('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis' }));
    s.appendChild(sv('line', { x1: L, x2: L, y1: T, y2: H - B, 'class': 'axis' }));
    var xl = sv('text', { x: W - R, y: H - 4, 'text-anchor': 'end', 'class': 'tick' });
    xl.textContent = UI.speakers;
    s.appendChild(xl);
    var order = needs.slice().sort(function (a, b) { return (b.score || 0) - (a.score || 0); });
    order.forEach(function (n) {
      var r = 4 + 14 * Math.sqrt(Math.max(0, n.score || 0) / maxScore);
      var c = sv('circle', { cx: X(n.speakers).toFixed(1), cy: Y(yValue(n, key)).toFixed(1), r: r.toFixed(1),
        'class': 'dot' + (n.emerging ? ' emerging' : ''), tabindex: 0, role: 'button' });
      c.setAttribute('aria-label', '#' + n.rank + ' ' + n.title);
      var tt = sv('title', {});
      tt.textContent = '#' + n.rank + ' ' + n.title + ' · ' + UI.speakers + ' ' + n.speakers + ' · ' + UI.score + ' ' + num(n.score);
      c.appendChild(tt);
      c.addEventListener('click', function () { reveal(n.id); });
      c.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); reveal(n.id); }
      });
      dots.set(n.id, c);
      s.appendChild(c);
    });
    order.slice(0, 8).forEach(function (n) {
      var lab = sv('text', { x: (X(n.speakers) + 6).toFixed(1), y: (Y(yValue(n, key)) - 6).toFixed(1), 'class': 'dotlabel' });
      lab.textContent = '#' + n.rank;
      s.appendChild(lab);
    });
    box.appendChild(s);
    var visible = new Set(view.map(function (n) { return n.id; }));
    dots.forEach(function (d, id) { d.classList.toggle('dim', view.length < needs.length && !visible.has(id)); });
  }

  // ------------------------------------------------------------ wiring
  function fillSelects() {
    var order = chats.map(function (c, i) { return i; }).filter(function (i) {
      return needs.some(function (n) { return n.chats.indexOf(i) >= 0; });
    }).sort(function (a, b) { return chats[a].localeCompare(chats[b]); });
    order.forEach(function (i) { var o = el('option', null, chats[i]); o.value = String(i); $('f-chat').appendChild(o); });
    var domains = Array.from(new Set(needs.map(function (n) { return n.domain; }).filter(Boolean))).sort();
    if (domains.length > 1) {
      $('f-domain-wrap').hidden = false;
      domains.forEach(function (d) { var o = el('option', null, d); o.value = d; $('f-domain').appendChild(o); });
    }
    $('f-sig-wrap').hidden = !SIG.on;
    if (PERIOD.options.length) {
      $('f-period-wrap').hidden = false;
      PERIOD.options.forEach(function (w) { var o = el('option', null, w[1]); o.value = String(w[0]); $('f-period').appendChild(o); });
    }
    $('f-period').title = PERIOD.help;
    $('f-period-help').textContent = PERIOD.help;
  }

  function wire() {
    var timer = null;
    $('q').addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = $('q').value; apply(); }, 120);
    });
    [['f-chat', 'chat'], ['f-show', 'show'], ['f-domain', 'domain'], ['f-sig', 'sig'], ['f-period', 'period'], ['f-sort', 'sort']].forEach(function (p) {
      $(p[0]).addEventListener('change', function () { state[p[1]] = $(p[0]).value; apply(); });
    });
    $('reset').addEventListener('click', reset);
    $('more').addEventListener('click', renderMore);
    if ('IntersectionObserver' in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; }) && rendered < view.length) renderMore();
      }, { rootMargin: '600px' }).observe($('sentinel'));
    }
    window.addEventListener('beforeprint', function () {
      renderAll();
      cards.forEach(function (c) { setExpanded(c, true); });
      document.querySelectorAll('details').forEach(function (d) { d.open = true; });
    });
  }

  function fromHash(instant) {
    hashing = true;
    var need = readHash();
    apply();
    hashing = false;
    if (need && byId.has(need)) reveal(need, instant);
  }

  renderSummary();
  fillSelects();
  wire();
  renderMap();
  fromHash(true);
  window.addEventListener('hashchange', function () { fromHash(false); });
  renderHealth();
  renderUnclustered();
  renderFooter();
  document.body.dataset.ready = '1';
})();
