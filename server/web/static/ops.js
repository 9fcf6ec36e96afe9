/* ops.js -- operations (/ops, admin key): feed health from GET /v1/feeds,
 * a feed's rejects, readiness from GET /readyz (Redis, network data,
 * customs) and a few figures from GET /metrics; refreshed every 10 s. */
(function () {
  'use strict';

  DT.strings({
    en: {
      'ops.title': 'Operations', 'ops.refresh': 'Refresh now', 'ops.ready': 'Readiness',
      'ops.metrics': 'Figures', 'ops.feeds': 'Carrier feeds',
      'ops.needkey': 'Enter an admin key in the box above to see feeds and metrics.',
      'ops.wrongrole': 'This is a {role} key: operations needs an admin key.',
      'ops.updated': 'Updated {time}, every 10 s.', 'ops.rejects': 'Rejects of feed {name}',
      'ops.norejects': 'No rejected events kept for this feed.',
      'ops.nofeeds': 'No feeds configured.',
      'col.feed': 'Feed', 'col.format': 'Format', 'col.mode': 'Mode',
      'col.lastevent': 'Newest event', 'col.lag': 'Lag', 'col.accepted': 'Accepted',
      'col.duplicates': 'Duplicates', 'col.rejected': 'Rejected', 'col.lasterror': 'Last error',
      'col.received': 'Received', 'col.index': 'Index in body', 'col.reason': 'Reason',
      'feed.push': 'push', 'feed.pull': 'pull', 'feed.lastbody': 'last body received {time}',
      'feed.pullinfo': 'pulled every {s} s, {n} pulls, {e} errors',
      'ready.status': 'Status', 'ready.redis': 'Redis', 'ready.network': 'Network data',
      'ready.customs': 'Customs declarations', 'ready.ready': 'ready', 'ready.not_ready': 'not ready',
      'ready.ok': 'ok', 'ready.loading': 'loading', 'ready.nodes': '{n} places, loaded in {ms} ms',
      'm.waybills': 'Waybills', 'm.at_risk': 'At risk', 'm.alerts_open': 'Open customs alerts',
      'm.sse': 'Live streams', 'm.requests': 'HTTP requests', 'm.redis_up': 'Redis up',
      'dur.s': '{n} s', 'dur.m': '{n} min', 'dur.h': '{h} h {m} min', 'dur.d': '{d} d {h} h'
    },
    zh: {
      'ops.title': '运行监控', 'ops.refresh': '立即刷新', 'ops.ready': '就绪状态',
      'ops.metrics': '指标', 'ops.feeds': '承运人数据源',
      'ops.needkey': '请在上方输入管理员密钥以查看数据源和指标。',
      'ops.wrongrole': '当前为 {role} 密钥：运行监控需要管理员密钥。',
      'ops.updated': '更新于 {time}，每 10 秒刷新。', 'ops.rejects': '数据源 {name} 的拒收事件',
      'ops.norejects': '此数据源没有保存的拒收事件。',
      'ops.nofeeds': '未配置数据源。',
      'col.feed': '数据源', 'col.format': '格式', 'col.mode': '方式',
      'col.lastevent': '最新事件', 'col.lag': '延迟', 'col.accepted': '已接收',
      'col.duplicates': '重复', 'col.rejected': '拒收', 'col.lasterror': '最近错误',
      'col.received': '接收时间', 'col.index': '报文内序号', 'col.reason': '原因',
      'feed.push': '推送', 'feed.pull': '拉取', 'feed.lastbody': '最近一次收到报文：{time}',
      'feed.pullinfo': '每 {s} 秒拉取，共 {n} 次，{e} 次错误',
      'ready.status': '状态', 'ready.redis': 'Redis', 'ready.network': '路网数据',
      'ready.customs': '海关申报数据', 'ready.ready': '就绪', 'ready.not_ready': '未就绪',
      'ready.ok': '正常', 'ready.loading': '加载中', 'ready.nodes': '{n} 个地点，加载用时 {ms} 毫秒',
      'm.waybills': '运单', 'm.at_risk': '有风险运单', 'm.alerts_open': '待处理海关预警',
      'm.sse': '实时推送连接', 'm.requests': 'HTTP 请求', 'm.redis_up': 'Redis 在线',
      'dur.s': '{n} 秒', 'dur.m': '{n} 分钟', 'dur.h': '{h} 小时 {m} 分', 'dur.d': '{d} 天 {h} 小时'
    }
  });

  var $ = function (id) { return document.getElementById(id); };
  var el = DT.el, t = DT.t;

  var feeds = null, ready = null, metrics = null, rejects = null;
  var chosen = null;        /* the feed whose rejects are shown */
  var updated = null;
  var note = null;
  var timer = null;
  var allowed = false;

  var tr = DT.tOr;

  function setNote(key, vars) {
    note = key ? {key: key, vars: vars} : null;
    $('ops-note').textContent = note ? t(note.key, note.vars) : '';
    $('ops-note').hidden = !note;
  }

  function num(x) {
    if (x == null || isNaN(x)) return '—';
    return Number(x).toLocaleString(DT.lang() === 'zh' ? 'zh-CN' : 'en-US', {maximumFractionDigits: 0});
  }

  function dur(s) {
    if (s == null) return '—';
    s = Math.max(0, Math.round(s));
    if (s < 60) return t('dur.s', {n: s});
    if (s < 3600) return t('dur.m', {n: Math.round(s / 60)});
    if (s < 86400) return t('dur.h', {h: Math.floor(s / 3600), m: Math.floor(s % 3600 / 60)});
    return t('dur.d', {d: Math.floor(s / 86400), h: Math.floor(s % 86400 / 3600)});
  }

  /* ---- readiness: /readyz answers 503 with the checks beside the error,
   * which DT.api does not pass on: read it here. ---- */
  function loadReady() {
    return fetch('/readyz', {cache: 'no-store', credentials: 'omit'}).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (j) {
        ready = j || {status: 'not_ready', checks: {}, error: {message: r.statusText}};
      });
    }, function () { ready = {status: 'not_ready', checks: {}, error: {message: t('err.network')}}; });
  }

  function checkText(v) {
    if (v == null) return '—';
    if (typeof v === 'string') return tr('ready.' + v, v);
    if (v.nodes != null) return t('ready.nodes', {n: v.nodes, ms: Number(v.load_ms || 0).toFixed(1)});
    return JSON.stringify(v);
  }

  function renderReady() {
    var dl = $('redis-state');
    dl.textContent = '';
    if (!ready) return;
    var ok = ready.status === 'ready';
    dl.setAttribute('data-status', ready.status || '');
    var add = function (key, text, good, name) {
      dl.appendChild(el('dt', {text: t(key)}));
      dl.appendChild(el('dd', {class: good ? 'good' : 'bad', 'data-check': name, text: text}));
    };
    add('ready.status', tr('ready.' + ready.status, ready.status), ok, 'status');
    var c = ready.checks || {};
    add('ready.redis', checkText(c.redis), c.redis === 'ok', 'redis');
    add('ready.network', checkText(c.network), !!(c.network && c.network.nodes), 'network');
    add('ready.customs', checkText(c.customs), c.customs === 'ok', 'customs');
  }

  /* ---- metrics: Prometheus text, which DT.api (JSON) cannot read ---- */
  function loadMetrics() {
    return fetch('/metrics', {cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
                              headers: {'Authorization': 'Bearer ' + DT.key()}}).then(function (r) {
      return r.text().then(function (txt) {
        if (!r.ok) {
          var j = null;
          try { j = JSON.parse(txt); } catch (e) { j = null; }
          var e = j && j.error ? j.error : {};
          throw new DT.ApiError(r.status, e.code || 'error', e.message || r.statusText);
        }
        metrics = parseMetrics(txt);
      });
    }, function () { throw new DT.ApiError(0, 'network', ''); });
  }

  /* name -> sum over its series */
  function parseMetrics(txt) {
    var out = {};
    txt.split('\n').forEach(function (line) {
      if (!line || line.charAt(0) === '#') return;
      var m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m) return;
      var v = Number(m[3]);
      if (isNaN(v)) return;
      out[m[1]] = (out[m[1]] || 0) + v;
    });
    return out;
  }

  var FIGURES = [
    ['waybills', 'm.waybills', 'dongting_waybills'],
    ['at_risk', 'm.at_risk', 'dongting_waybills_at_risk'],
    ['alerts_open', 'm.alerts_open', 'dongting_customs_alerts_open'],
    ['sse', 'm.sse', 'dongting_sse_streams'],
    ['requests', 'm.requests', 'dongting_http_requests_total'],
    ['redis_up', 'm.redis_up', 'dongting_redis_up']
  ];

  function renderMetrics() {
    var box = $('metrics');
    box.textContent = '';
    if (!metrics) return;
    FIGURES.forEach(function (f) {
      var v = metrics[f[2]];
      var text = f[0] === 'redis_up' ? (v == null ? '—' : (v ? t('yes') : t('no'))) : num(v);
      box.appendChild(el('div', {class: 'tile' + (f[0] === 'at_risk' && v ? ' warn' : '') +
                                        (f[0] === 'alerts_open' && v ? ' warn' : ''),
                                 'data-metric': f[0]}, [
        el('div', {class: 'figure', text: text}),
        el('div', {class: 'label', text: t(f[1])})
      ]));
    });
  }


  var labelCells = DT.labelCells;

  /* ---- feeds ---- */
  function newestEvent(f) {
    if (!f.last_success || f.lag_s == null) return null;
    var ms = Date.parse(f.last_success);
    if (isNaN(ms)) return null;
    return new Date(ms - f.lag_s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  function renderFeeds() {
    var tb = document.querySelector('#feeds tbody');
    tb.textContent = '';
    if (!feeds) return;
    if (!feeds.length) {
      tb.appendChild(el('tr', {}, [el('td', {colspan: '9', class: 'muted', text: t('ops.nofeeds')})]));
    }
    feeds.forEach(function (f) {
      var mode = f.pull ? 'pull' : 'push';
      var modeTitle = f.pull ? t('feed.pullinfo', {s: f.pull.interval_s, n: f.pull.pulls, e: f.pull.errors}) : '';
      var err = f.last_error || (f.pull && f.pull.last_error) || '';
      var row = el('tr', {class: 'feed' + (chosen === f.name ? ' selected' : '') + (err ? ' has-error' : ''),
                          'data-feed': f.name, tabindex: '0'}, [
        el('td', {class: 'name'}, [el('strong', {text: f.name})]),
        el('td', {}, [el('code', {text: f.format})]),
        el('td', {title: modeTitle, text: t('feed.' + mode)}),
        el('td', {class: 'time', title: t('feed.lastbody', {time: DT.fmtTime(f.last_success)}),
                  text: DT.fmtTime(newestEvent(f))}),
        el('td', {class: 'lag', text: dur(f.lag_s)}),
        el('td', {class: 'num', text: num(f.accepted)}),
        el('td', {class: 'num', text: num(f.duplicates)}),
        el('td', {class: 'num' + (f.rejected ? ' bad' : ''), text: num(f.rejected)}),
        el('td', {class: 'err'}, err ? [el('span', {text: err}),
                                        f.last_error_at ? el('div', {class: 'muted small', text: DT.fmtTime(f.last_error_at)}) : null]
                                     : [el('span', {class: 'muted', text: '—'})])
      ]);
      tb.appendChild(row);
    });
    labelCells($('feeds'));
  }

  function loadRejects() {
    if (!chosen) return Promise.resolve();
    var name = chosen;
    return DT.api('/v1/feeds/' + encodeURIComponent(name) + '/rejects?limit=100').then(function (j) {
      if (name !== chosen) return;
      rejects = (j && j.rejects) || [];
      renderRejects();
    }, function (err) { DT.showError('ops-error', err); });
  }

  function renderRejects() {
    var card = $('rejects-card');
    card.hidden = !chosen;
    if (!chosen) return;
    $('rejects-title').textContent = t('ops.rejects', {name: chosen});
    var tb = document.querySelector('#rejects tbody');
    tb.textContent = '';
    if (!rejects) return;
    if (!rejects.length) {
      tb.appendChild(el('tr', {}, [el('td', {colspan: '3', class: 'muted', text: t('ops.norejects')})]));
    }
    rejects.forEach(function (r) {
      tb.appendChild(el('tr', {class: 'reject', 'data-id': r.id || ''}, [
        el('td', {class: 'time', text: DT.fmtTime(r.received)}),
        el('td', {class: 'num', text: r.index == null ? '—' : String(r.index)}),
        el('td', {class: 'reason', text: r.reason || ''})
      ]));
    });
    labelCells($('rejects'));
  }

  /* ---- the cycle ---- */
  function refresh() {
    var jobs = [loadReady().then(renderReady)];
    if (allowed) {
      DT.showError('ops-error', null);
      var fail = function (err) { DT.showError('ops-error', err); };
      jobs.push(DT.api('/v1/feeds').then(function (j) { feeds = (j && j.feeds) || []; renderFeeds(); }, fail));
      jobs.push(loadMetrics().then(renderMetrics, fail));
      jobs.push(loadRejects());
    }
    return Promise.all(jobs).then(function () {
      updated = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      renderUpdated();
    });
  }

  function renderUpdated() {
    $('ops-updated').textContent = updated ? t('ops.updated', {time: localClock(updated)}) : '';
  }

  function localClock(iso) {
    var d = new Date(iso);
    var p = function (x) { return (x < 10 ? '0' : '') + x; };
    return p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }

  function checkKey() {
    allowed = false;
    feeds = null; metrics = null; rejects = null; chosen = null;
    renderFeeds(); renderMetrics(); renderRejects();
    if (!DT.key()) { setNote('ops.needkey'); return refresh(); }
    return DT.api('/v1/whoami').then(function (w) {
      if (w.role !== 'admin') { setNote('ops.wrongrole', {role: w.role}); return refresh(); }
      setNote(null);
      allowed = true;
      return refresh();
    }, function (err) { setNote(null); DT.showError('ops-error', err); return refresh(); });
  }

  function choose(name) {
    chosen = chosen === name ? null : name;
    rejects = null;
    renderFeeds();
    renderRejects();
    if (chosen) loadRejects().then(function () {
      $('rejects-card').scrollIntoView({block: 'nearest', behavior: 'smooth'});
    });
  }

  function wire() {
    var tb = document.querySelector('#feeds tbody');
    var rowOf = function (t) { return t.closest ? t.closest('tr.feed') : null; };
    tb.addEventListener('click', function (ev) {
      var r = rowOf(ev.target);
      if (r) choose(r.getAttribute('data-feed'));
    });
    tb.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      var r = rowOf(ev.target);
      if (!r) return;
      ev.preventDefault();
      choose(r.getAttribute('data-feed'));
    });
    $('ops-refresh').addEventListener('click', refresh);
  }

  function relabel() {
    setNote(note ? note.key : null, note ? note.vars : null);
    renderReady(); renderMetrics(); renderFeeds(); renderRejects(); renderUpdated();
  }

  DT.strings({en: {'yes': 'yes', 'no': 'no'}, zh: {'yes': '是', 'no': '否'}});
  DT.header('ops');
  DT.applyI18n();
  wire();
  checkKey();
  timer = setInterval(function () { if (!document.hidden) refresh(); }, 10000);
  DT.onKey(function () { DT.showError('ops-error', null); checkKey(); });
  DT.onLang(relabel);
})();
