/**
 * The console page: one HTML document, one stylesheet and one script, shipped in the package as
 * strings (no framework, no external assets; the page's CSP allows only its own origin). The script
 * is plain browser JavaScript kept free of backticks and `${` so it can live in String.raw.
 */

export const CONSOLE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/_gatehouse/console/app.css">
<script src="/_gatehouse/console/app.js" defer></script>
</head>
<body>
<header>
  <h1>Gatehouse <span>console</span></h1>
  <nav id="tabs">
    <button data-tab="api" class="active">API</button>
    <button data-tab="live">Live requests <span id="live-count" class="count">0</span></button>
    <button data-tab="explain">Explain</button>
    <button data-tab="connections">Connections</button>
  </nav>
  <div id="whoami"></div>
</header>
<div id="layout">
  <aside>
    <div class="aside-head"><h2>APIs</h2><button id="refresh-apis" title="Reload the APIs">&#x21bb;</button></div>
    <ul id="apis"><li class="muted">Loading…</li></ul>
  </aside>
  <main>
    <div id="error" hidden></div>
    <section id="tab-api" class="tab">
      <div id="stage-detail"><p class="muted">Choose an API's stage on the left.</p></div>
    </section>
    <section id="tab-live" class="tab" hidden>
      <div class="toolbar">
        <label>API <select id="live-api"><option value="">all</option></select></label>
        <label>Route <input id="live-route" placeholder="route key contains…"></label>
        <label>Status <select id="live-status"><option value="">all</option><option>2xx</option><option>3xx</option><option>4xx</option><option>5xx</option></select></label>
        <button id="live-clear">Clear</button>
        <span id="live-state" class="muted">connecting…</span>
      </div>
      <div class="split">
        <div class="table-wrap"><table id="live-table">
          <thead><tr><th>Time</th><th>Status</th><th>Method</th><th>Path</th><th class="wide">API / stage</th><th>Route</th><th class="wide">Authorizer</th><th class="wide">Integration</th><th class="num">ms</th></tr></thead>
          <tbody></tbody>
        </table><p id="live-empty" class="muted">Requests to your APIs appear here as they finish.</p></div>
        <div id="live-detail" hidden></div>
      </div>
    </section>
    <section id="tab-explain" class="tab" hidden>
      <form id="explain-form" class="card">
        <div class="row">
          <label>API <select id="explain-api"></select></label>
          <label>Stage <select id="explain-stage"></select></label>
        </div>
        <div class="row" id="explain-http">
          <label>Request <input id="explain-request" value="GET /" spellcheck="false" class="mono wide" placeholder="GET /pets/7"></label>
        </div>
        <label id="explain-headers-label">Headers <span class="muted">(one name: value a line, optional)</span><textarea id="explain-headers" rows="2" class="mono" spellcheck="false"></textarea></label>
        <label id="explain-message-label" hidden>Message <textarea id="explain-message" rows="3" class="mono" spellcheck="false">{"action":"sendmessage"}</textarea></label>
        <button type="submit" class="primary">Explain</button>
      </form>
      <div id="explain-result"></div>
    </section>
    <section id="tab-connections" class="tab" hidden>
      <div class="toolbar"><span id="connections-title" class="muted">Choose a WebSocket API's stage on the left.</span><button id="connections-refresh">Refresh</button></div>
      <div id="connections"></div>
    </section>
  </main>
</div>
</body>
</html>
`;

export const CONSOLE_CSS = String.raw`:root{--bg:#f6f7f9;--panel:#fff;--line:#e3e6eb;--text:#1d2430;--muted:#6b7482;--accent:#2f6fde;--ok:#1a8f4c;--warn:#b7791f;--bad:#c53030;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--text);background:var(--bg)}
header{display:flex;align-items:center;gap:24px;padding:0 20px;height:52px;background:#17202e;color:#fff}
h1{font-size:17px;margin:0;font-weight:600;white-space:nowrap}h1 span{color:#8fb3ff;font-weight:400}
nav{display:flex;gap:4px;height:100%}
nav button{background:none;border:0;color:#c5cddb;padding:0 14px;font:inherit;cursor:pointer;border-bottom:3px solid transparent}
nav button.active{color:#fff;border-bottom-color:#8fb3ff}
nav button:hover{color:#fff}
#whoami{margin-left:auto;color:#aab4c4;font-size:12px;font-family:var(--mono)}
.count{display:inline-block;min-width:20px;padding:0 6px;border-radius:10px;background:#2d3a50;font-size:11px;text-align:center}
#layout{display:flex;min-height:calc(100vh - 52px)}
aside{width:270px;flex:none;background:var(--panel);border-right:1px solid var(--line);padding:14px 0;overflow:auto}
.aside-head{display:flex;align-items:center;justify-content:space-between;padding:0 16px 8px}
aside h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0}
aside ul{list-style:none;margin:0;padding:0}
aside li.api{padding:8px 16px;border-top:1px solid var(--line)}
.api-name{font-weight:600}.api-id{font-family:var(--mono);font-size:12px;color:var(--muted)}
.stages{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}
.stage{border:1px solid var(--line);background:#f3f5f8;border-radius:12px;padding:1px 10px;font-size:12px;cursor:pointer;font-family:var(--mono)}
.stage:hover{border-color:var(--accent)}.stage.selected{background:var(--accent);border-color:var(--accent);color:#fff}
.badge{display:inline-block;font-size:10px;font-weight:600;padding:1px 6px;border-radius:4px;background:#e8eefc;color:#2f56a8;margin-left:6px;vertical-align:1px}
.badge.ws{background:#f3e8fd;color:#7b3fb3}
main{flex:1;min-width:0;padding:18px 22px}
h2.title{font-size:18px;margin:0 0 4px}h3{font-size:14px;margin:20px 0 8px}
.muted{color:var(--muted)}.mono{font-family:var(--mono)}
.card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin-bottom:14px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:8px 0}.kv dt{color:var(--muted)}.kv dd{margin:0;font-family:var(--mono);word-break:break-all}
table{border-collapse:collapse;width:100%;background:var(--panel)}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;background:#fafbfc}
td.mono,td .mono{font-size:12.5px}.num{text-align:right}
.table-wrap{background:var(--panel);border:1px solid var(--line);border-radius:8px;overflow:auto;flex:1;min-width:0}
#live-table tbody tr{cursor:pointer}#live-table tbody tr:hover{background:#f1f5fd}#live-table tbody tr.selected{background:#e3ecfd}
.s2{color:var(--ok);font-weight:600}.s3{color:#2b7a96;font-weight:600}.s4{color:var(--warn);font-weight:600}.s5{color:var(--bad);font-weight:600}
.toolbar{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin-bottom:12px}
label{display:flex;flex-direction:column;gap:3px;font-size:12px;color:var(--muted);margin-bottom:8px}
.toolbar label{flex-direction:row;align-items:center;gap:6px;margin:0}
input,select,textarea{font:inherit;color:var(--text);border:1px solid #cfd5de;border-radius:6px;padding:5px 8px;background:#fff}
textarea{width:100%;resize:vertical}input.wide{width:420px}
input:focus,select:focus,textarea:focus{outline:2px solid #bcd0f7;border-color:var(--accent)}
button{font:inherit;border:1px solid #cfd5de;background:#fff;border-radius:6px;padding:5px 12px;cursor:pointer}
button:hover{border-color:var(--accent)}button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{color:var(--bad)}
.row{display:flex;gap:14px;flex-wrap:wrap}
.split{display:flex;gap:14px;align-items:flex-start}
.detail-open .wide{display:none}#live-table td{white-space:nowrap}#live-table td.path{max-width:320px;overflow:hidden;text-overflow:ellipsis}
#connections-table td{vertical-align:middle}
#live-detail{width:46%;flex:none;background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 14px;max-height:calc(100vh - 150px);overflow:auto}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow:auto;font:12px/1.45 var(--mono);max-height:360px;margin:6px 0 10px}
.outcome{font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 7px;border-radius:4px}
.outcome.matched{background:#dff5e7;color:var(--ok)}.outcome.lost{background:#fdf3dc;color:var(--warn)}.outcome.no-match{background:#eef0f3;color:var(--muted)}
.verdict{font-size:16px;margin:0 0 8px}.verdict .mono{font-size:15px;background:#e8eefc;padding:2px 8px;border-radius:5px}
.notes{margin:8px 0;padding-left:18px;color:var(--warn)}
#error{background:#fdecec;border:1px solid #f3b9b9;color:var(--bad);padding:8px 12px;border-radius:6px;margin-bottom:12px}
.send{display:flex;gap:6px}.send input{flex:1;min-width:160px}
.diff-added{color:var(--ok)}.diff-removed{color:var(--bad)}.diff-changed{color:var(--warn)}
a{color:var(--accent)}.push-right{margin-left:auto}
`;

export const CONSOLE_JS = String.raw`'use strict';
(function () {
  var qs = new URLSearchParams(location.search);
  var regionQuery = qs.get('region') ? 'region=' + encodeURIComponent(qs.get('region')) : '';
  var state = { apis: [], selected: null, live: [], liveSelected: null, liveCount: 0 };
  var MAX_LIVE = 500;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== undefined && attrs[k] !== null) node.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) node.appendChild(typeof x === 'string' ? document.createTextNode(x) : x); });
      else node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function withRegion(path) { return regionQuery ? path + (path.indexOf('?') === -1 ? '?' : '&') + regionQuery : path; }
  function showError(message) { var e = $('error'); e.textContent = message; e.hidden = !message; }
  function api(path, options) {
    return fetch(withRegion(path), options).then(function (res) {
      return res.text().then(function (text) {
        var body = text ? JSON.parse(text) : {};
        if (!res.ok) throw new Error(body.message || ('HTTP ' + res.status));
        return body;
      });
    });
  }
  function statusClass(s) { return 's' + String(s).charAt(0); }
  function json(v) { return JSON.stringify(v, null, 2); }
  function time(iso) { var d = new Date(iso); return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }

  // Tabs
  function showTab(name) {
    Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) { b.classList.toggle('active', b.dataset.tab === name); });
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (s) { s.hidden = s.id !== 'tab-' + name; });
    if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
    if (name === 'connections') loadConnections();
  }
  Array.prototype.forEach.call(document.querySelectorAll('#tabs button'), function (b) { b.addEventListener('click', function () { showTab(b.dataset.tab); }); });

  // APIs
  function loadApis() {
    return api('/_gatehouse/console/api/apis').then(function (body) {
      state.apis = body.items;
      renderApis();
      fillApiSelects();
      if (!state.selected && state.apis.length) {
        var first = state.apis.find(function (a) { return a.stages.length; });
        if (first) select(first.apiId, first.stages[0].stageName);
      } else if (state.selected) renderSelection();
    }).catch(function (e) { showError('Cannot list the APIs: ' + e.message); });
  }
  function findApi(apiId) { return state.apis.find(function (a) { return a.apiId === apiId; }); }
  function renderApis() {
    var list = clear($('apis'));
    if (!state.apis.length) list.appendChild(el('li', { className: 'muted api', text: 'No APIs in this account and region yet.' }));
    state.apis.forEach(function (a) {
      var stages = a.stages.map(function (s) {
        var selected = state.selected && state.selected.apiId === a.apiId && state.selected.stage === s.stageName;
        return el('button', { className: 'stage' + (selected ? ' selected' : ''), title: s.invokeUrl, onclick: function () { select(a.apiId, s.stageName); } }, s.stageName);
      });
      list.appendChild(el('li', { className: 'api', 'data-api': a.apiId },
        el('div', null, el('span', { className: 'api-name', text: a.name }), el('span', { className: 'badge' + (a.protocolType === 'WEBSOCKET' ? ' ws' : ''), text: a.protocolType })),
        el('div', { className: 'api-id', text: a.apiId }),
        el('div', { className: 'stages' }, stages.length ? stages : el('span', { className: 'muted', text: 'no stages' }))));
    });
  }
  function fillApiSelects() {
    var live = $('live-api'); var keep = live.value;
    clear(live).appendChild(el('option', { value: '', text: 'all' }));
    state.apis.forEach(function (a) { live.appendChild(el('option', { value: a.apiId, text: a.name + ' (' + a.apiId + ')' })); });
    live.value = keep;
    var ex = $('explain-api'); var keepEx = ex.value;
    clear(ex);
    state.apis.forEach(function (a) { ex.appendChild(el('option', { value: a.apiId, text: a.name + ' (' + a.apiId + ')' })); });
    if (keepEx && findApi(keepEx)) ex.value = keepEx;
    fillExplainStages();
  }
  function fillExplainStages() {
    var a = findApi($('explain-api').value); var st = $('explain-stage'); var keep = st.value;
    clear(st);
    (a ? a.stages : []).forEach(function (s) { st.appendChild(el('option', { value: s.stageName, text: s.stageName })); });
    if (keep && a && a.stages.some(function (s) { return s.stageName === keep; })) st.value = keep;
    var ws = a && a.protocolType === 'WEBSOCKET';
    $('explain-http').hidden = ws; $('explain-headers-label').hidden = ws; $('explain-message-label').hidden = !ws;
  }
  $('explain-api').addEventListener('change', fillExplainStages);
  $('refresh-apis').addEventListener('click', loadApis);

  function select(apiId, stage) {
    state.selected = { apiId: apiId, stage: stage };
    renderApis();
    $('explain-api').value = apiId; fillExplainStages(); $('explain-stage').value = stage;
    renderSelection();
    if (!$('tab-connections').hidden) loadConnections();
  }
  function renderSelection() {
    var sel = state.selected; if (!sel) return;
    api('/_gatehouse/console/api/stage?apiId=' + encodeURIComponent(sel.apiId) + '&stage=' + encodeURIComponent(sel.stage)).then(renderStage)
      .catch(function (e) { clear($('stage-detail')).appendChild(el('p', { className: 'muted', text: e.message })); });
  }
  function throttleText(t) { if (!t) return ''; return [t.burstLimit !== undefined ? 'burst ' + t.burstLimit : '', t.rateLimit !== undefined ? 'rate ' + t.rateLimit + '/s' : ''].filter(Boolean).join(', '); }
  function authText(a) { if (!a) return 'NONE'; return a.authorizationType + (a.name ? ' ' + a.name : '') + (a.authorizationScopes ? ' [' + a.authorizationScopes.join(' ') + ']' : ''); }
  function renderStage(d) {
    var box = clear($('stage-detail'));
    box.appendChild(el('h2', { className: 'title' }, d.name + ' ', el('span', { className: 'muted mono', text: d.apiId + ' / ' + d.stageName })));
    box.appendChild(el('dl', { className: 'kv' },
      el('dt', { text: 'Invoke URL' }), el('dd', null, el('a', { href: d.protocolType === 'HTTP' ? d.invokeUrl : null, text: d.invokeUrl, id: 'invoke-url' })),
      el('dt', { text: 'Protocol' }), el('dd', { text: d.protocolType }),
      el('dt', { text: 'Deployment' }), el('dd', { text: (d.deploymentId || 'none') + (d.autoDeploy ? ' (auto-deploy)' : '') }),
      el('dt', { text: 'Stage variables' }), el('dd', { text: Object.keys(d.stageVariables || {}).length ? Object.keys(d.stageVariables).map(function (k) { return k + '=' + d.stageVariables[k]; }).join(', ') : '—' })));
    box.appendChild(el('h3', { text: 'Routes (' + d.routes.length + ')' }));
    var rows = d.routes.map(function (r) {
      return el('tr', null, el('td', { className: 'mono', text: r.routeKey }), el('td', { text: authText(r.authorizer) }),
        el('td', { className: 'mono', text: r.integration ? (r.integration.label || r.integration.integrationType) : 'none (404)' }),
        el('td', { text: throttleText(r.throttling) || '—' }));
    });
    box.appendChild(el('div', { className: 'table-wrap' }, el('table', { id: 'routes-table' }, el('thead', null, el('tr', null, el('th', { text: 'Route' }), el('th', { text: 'Authorization' }), el('th', { text: 'Integration' }), el('th', { text: 'Throttling' }))), el('tbody', null, rows))));
    box.appendChild(el('h3', { text: 'Deployments (' + d.deployments.length + ')' }));
    var from = el('select', { id: 'diff-from' }); var to = el('select', { id: 'diff-to' });
    d.deployments.forEach(function (dep, i) {
      var label = dep.deploymentId + ' · ' + new Date(dep.createdDate).toLocaleString() + (dep.deploymentId === d.deploymentId ? ' (live)' : '');
      from.appendChild(el('option', { value: dep.deploymentId, text: label })); to.appendChild(el('option', { value: dep.deploymentId, text: label }));
      if (i === 1) from.value = dep.deploymentId;
    });
    var out = el('div', { id: 'diff-result' });
    box.appendChild(el('div', { className: 'toolbar' }, el('label', null, 'from ', from), el('label', null, 'to ', to),
      el('button', { onclick: function () { diff(d.apiId, from.value, to.value, out); } }, 'Diff')));
    box.appendChild(out);
  }
  function diff(apiId, from, to, out) {
    api('/_gatehouse/console/api/diff?apiId=' + encodeURIComponent(apiId) + '&from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to)).then(function (d) {
      clear(out);
      if (!d.changes.length) { out.appendChild(el('p', { className: 'muted', text: 'The two deployments serve the same configuration.' })); return; }
      out.appendChild(el('ul', null, d.changes.map(function (c) {
        return el('li', { className: 'diff-' + c.change }, el('b', { text: c.change + ' ' + c.kind + ' ' }), el('span', { className: 'mono', text: c.key }),
          c.fields ? el('ul', null, c.fields.map(function (f) { return el('li', { className: 'mono', text: f.name + ': ' + JSON.stringify(f.from) + ' → ' + JSON.stringify(f.to) }); })) : null);
      })));
    }).catch(function (e) { showError(e.message); });
  }

  // Live requests
  function liveMatches(e) {
    var apiId = $('live-api').value, route = $('live-route').value.trim().toLowerCase(), status = $('live-status').value;
    if (apiId && e.apiId !== apiId) return false;
    if (route && String(e.routeKey || '').toLowerCase().indexOf(route) === -1) return false;
    if (status && String(e.status).charAt(0) !== status.charAt(0)) return false;
    return true;
  }
  function authCell(e) {
    if (!e.authorizationType) return '';
    return e.authorizationType + ' ' + e.authorizerDecision + (e.authorizerCacheHit ? ' (cached)' : '');
  }
  function liveRow(e) {
    return el('tr', { 'data-id': String(e.id), className: state.liveSelected === e.id ? 'selected' : '', onclick: function () { showLive(e.id); } },
      el('td', { className: 'mono', text: time(e.time) }), el('td', { className: statusClass(e.status), text: String(e.status) }),
      el('td', { className: 'mono', text: e.method }), el('td', { className: 'mono path', title: e.path, text: e.path }),
      el('td', { className: 'mono wide', text: e.apiId ? e.apiId + '/' + e.stage : '—' }), el('td', { className: 'mono', text: e.routeKey || '—' }),
      el('td', { className: 'wide', text: authCell(e) }), el('td', { className: 'mono wide', text: e.integration || '' }), el('td', { className: 'num', text: String(e.latencyMs) }));
  }
  function renderLive() {
    var body = clear(document.querySelector('#live-table tbody'));
    var shown = state.live.filter(liveMatches);
    shown.forEach(function (e) { body.appendChild(liveRow(e)); });
    $('live-empty').hidden = shown.length > 0;
  }
  function addLive(e) {
    state.live.unshift(e);
    if (state.live.length > MAX_LIVE) state.live.length = MAX_LIVE;
    state.liveCount++; $('live-count').textContent = String(state.liveCount);
    if (liveMatches(e)) {
      var body = document.querySelector('#live-table tbody');
      body.insertBefore(liveRow(e), body.firstChild);
      while (body.children.length > MAX_LIVE) body.removeChild(body.lastChild);
      $('live-empty').hidden = true;
    }
    if (e.method === 'WS CONNECT' || e.method === 'WS DISCONNECT') if (!$('tab-connections').hidden) loadConnections();
  }
  function showLive(id) {
    var e = state.live.find(function (x) { return x.id === id; }); if (!e) return;
    state.liveSelected = id;
    Array.prototype.forEach.call(document.querySelectorAll('#live-table tbody tr'), function (tr) { tr.classList.toggle('selected', tr.dataset.id === String(id)); });
    var box = clear($('live-detail')); box.hidden = false; box.parentNode.classList.add('detail-open');
    box.appendChild(el('div', { className: 'toolbar' }, el('b', { className: statusClass(e.status), text: String(e.status) }), el('span', { className: 'mono', text: e.method + ' ' + e.path }),
      el('button', { className: 'push-right', onclick: function () { box.hidden = true; box.parentNode.classList.remove('detail-open'); state.liveSelected = null; renderLive(); } }, 'Close')));
    box.appendChild(el('dl', { className: 'kv' },
      el('dt', { text: 'Request id' }), el('dd', { text: e.requestId }),
      el('dt', { text: 'API / stage' }), el('dd', { text: e.apiId ? e.apiId + ' / ' + e.stage : '—' }),
      el('dt', { text: 'Route' }), el('dd', { text: e.routeKey || '—' }),
      el('dt', { text: 'Authorizer' }), el('dd', { text: authCell(e) || 'none' }),
      el('dt', { text: 'Integration' }), el('dd', { text: e.integration || '—' }),
      el('dt', { text: 'Latency' }), el('dd', { text: e.latencyMs + ' ms' }),
      e.error ? el('dt', { text: 'Gateway error' }) : null, e.error ? el('dd', { text: e.error }) : null));
    if (!e.lambda.length) box.appendChild(el('p', { className: 'muted', text: 'No Lambda function was called for this request.' }));
    e.lambda.forEach(function (c) {
      box.appendChild(el('h3', { text: 'Lambda ' + c.functionName + ' · ' + c.latencyMs + ' ms' + (c.functionError ? ' · ' + c.functionError : '') }));
      box.appendChild(el('div', { className: 'muted', text: 'Event the function received' }));
      box.appendChild(el('pre', { className: 'lambda-event', text: json(c.event) }));
      box.appendChild(el('div', { className: 'muted', text: c.error ? 'Call failed' : 'Its answer' }));
      box.appendChild(el('pre', { className: 'lambda-response', text: c.error ? c.error : json(c.response) }));
    });
  }
  ['live-api', 'live-route', 'live-status'].forEach(function (id) { $(id).addEventListener('input', renderLive); $(id).addEventListener('change', renderLive); });
  $('live-clear').addEventListener('click', function () { state.live = []; state.liveCount = 0; $('live-count').textContent = '0'; $('live-detail').hidden = true; $('live-detail').parentNode.classList.remove('detail-open'); renderLive(); });
  function connectLive() {
    var source = new EventSource(withRegion('/_gatehouse/events'));
    source.onopen = function () { $('live-state').textContent = 'live'; $('live-state').className = 's2'; };
    source.onerror = function () { $('live-state').textContent = 'reconnecting…'; $('live-state').className = 'muted'; };
    source.addEventListener('request', function (m) { addLive(JSON.parse(m.data)); });
  }

  // Explain
  $('explain-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var a = findApi($('explain-api').value); if (!a) return;
    var params = new URLSearchParams({ apiId: a.apiId, stage: $('explain-stage').value });
    if (a.protocolType === 'WEBSOCKET') params.set('message', $('explain-message').value);
    else {
      var text = $('explain-request').value.trim(); var sp = text.indexOf(' ');
      params.set('method', sp === -1 ? 'GET' : text.slice(0, sp)); params.set('path', sp === -1 ? text : text.slice(sp + 1).trim());
      $('explain-headers').value.split('\n').map(function (l) { return l.trim(); }).filter(Boolean).forEach(function (l) { params.append('header', l); });
    }
    api('/_gatehouse/explain?' + params.toString()).then(renderExplain).catch(function (e) { clear($('explain-result')).appendChild(el('p', { className: 's5', text: e.message })); });
  });
  function renderExplain(x) {
    var box = clear($('explain-result'));
    var card = el('div', { className: 'card', id: 'explain-verdict' });
    card.appendChild(el('p', { className: 'verdict' }, x.routeKey ? 'Matches ' : 'No route matches', x.routeKey ? el('span', { className: 'mono', text: x.routeKey }) : null));
    if (x.routeSelection) card.appendChild(el('p', { className: 'muted mono', text: x.routeSelection.expression + ' → ' + JSON.stringify(x.routeSelection.value) }));
    if (x.pathParameters) card.appendChild(el('p', { className: 'mono', text: 'pathParameters ' + JSON.stringify(x.pathParameters) }));
    if (x.notes.length) card.appendChild(el('ul', { className: 'notes' }, x.notes.map(function (n) { return el('li', { text: n }); })));
    card.appendChild(el('dl', { className: 'kv' },
      el('dt', { text: 'Authorizer' }), el('dd', { text: x.authorizer ? authText(x.authorizer) + (x.authorizer.identitySource ? ' from ' + x.authorizer.identitySource.join(', ') : '') + (x.authorizer.missingIdentity ? ' — missing ' + x.authorizer.missingIdentity.join(', ') + ': 401' : '') : 'none' }),
      el('dt', { text: 'Integration' }), el('dd', { text: x.integration ? (x.integration.label || x.integration.integrationType) + (x.integration.payloadFormatVersion ? ' (payload ' + x.integration.payloadFormatVersion + ')' : '') : 'none' }),
      el('dt', { text: 'Throttling' }), el('dd', { text: throttleText(x.throttling) || 'none' })));
    box.appendChild(card);
    box.appendChild(el('h3', { text: 'Routes considered, in priority order' }));
    box.appendChild(el('div', { className: 'table-wrap' }, el('table', { id: 'candidates' },
      el('thead', null, el('tr', null, el('th', { text: '#' }), el('th', { text: 'Route' }), el('th', { text: 'Outcome' }), el('th', { text: 'Why' }))),
      el('tbody', null, x.candidates.map(function (c, i) {
        return el('tr', null, el('td', { text: String(i + 1) }), el('td', { className: 'mono', text: c.routeKey }), el('td', null, el('span', { className: 'outcome ' + c.outcome, text: c.outcome })), el('td', { text: c.reason }));
      })))));
  }

  // Connections
  function loadConnections() {
    var sel = state.selected; var box = $('connections'); var a = sel && findApi(sel.apiId);
    if (!a || a.protocolType !== 'WEBSOCKET') { clear(box); $('connections-title').textContent = 'Choose a WebSocket API\'s stage on the left.'; return; }
    $('connections-title').textContent = a.name + ' / ' + sel.stage;
    api('/_gatehouse/console/api/connections?apiId=' + encodeURIComponent(sel.apiId) + '&stage=' + encodeURIComponent(sel.stage)).then(function (d) {
      clear(box);
      if (!d.items.length) { box.appendChild(el('p', { className: 'muted', text: 'No open connections.' })); return; }
      box.appendChild(el('div', { className: 'table-wrap' }, el('table', { id: 'connections-table' },
        el('thead', null, el('tr', null, el('th', { text: 'Connection id' }), el('th', { text: 'Connected' }), el('th', { text: 'Last active' }), el('th', { text: 'Identity' }), el('th', { text: 'Send a message' }), el('th'))),
        el('tbody', null, d.items.map(function (c) {
          var input = el('input', { className: 'mono', placeholder: 'message text', 'aria-label': 'message for ' + c.connectionId });
          var send = function () { call(sel, c.connectionId, 'POST', input.value).then(function () { input.value = ''; input.placeholder = 'sent ✓'; loadConnections(); }); };
          input.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') send(); });
          return el('tr', { 'data-connection': c.connectionId }, el('td', { className: 'mono', text: c.connectionId }), el('td', { text: time(c.connectedAt) }), el('td', { text: time(c.lastActiveAt) }),
            el('td', { className: 'mono', text: c.identity.sourceIp + (c.identity.userAgent ? ' · ' + c.identity.userAgent : '') }),
            el('td', null, el('div', { className: 'send' }, input, el('button', { className: 'primary', onclick: send }, 'Send'))),
            el('td', null, el('button', { className: 'danger', onclick: function () { call(sel, c.connectionId, 'DELETE').then(loadConnections); } }, 'Disconnect')));
        })))));
    }).catch(function (e) { clear(box).appendChild(el('p', { className: 's5', text: e.message })); });
  }
  function call(sel, id, method, text) {
    return api('/_gatehouse/console/api/connections/' + encodeURIComponent(id) + '?apiId=' + encodeURIComponent(sel.apiId) + '&stage=' + encodeURIComponent(sel.stage),
      { method: method, body: method === 'POST' ? text : undefined }).catch(function (e) { showError(e.message); });
  }
  $('connections-refresh').addEventListener('click', loadConnections);

  api('/_gatehouse/console/api/whoami').then(function (w) { $('whoami').textContent = 'account ' + w.accountId + ' · ' + w.region; }).catch(function () {});
  loadApis().then(function () { var tab = location.hash.slice(1); if (['api', 'live', 'explain', 'connections'].indexOf(tab) !== -1) showTab(tab); });
  connectLive();
})();
`;
