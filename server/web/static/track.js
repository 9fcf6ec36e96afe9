/* track.js -- the tracking page (server/web/index.html): `/` searches a
 * waybill, B/L, AWB or container number (GET /v1/track/{ref});
 * `/track/{number}` shows one shipment: status, ETA with its source and
 * how it moved (GET .../eta), the legs, the parties (masked in the public
 * view), the timeline (full view only), a map of the booked route with
 * the cargo's position, and live updates over Server-Sent Events.
 *
 * A consignee token arriving as ?token=wbt_... is moved into this tab's
 * sessionStorage ('dt.token.' + number) and taken out of the address bar
 * at once; it is then sent as the bearer of every call about the waybill.
 * Without it the header's key is sent (DT.api does that), and without a
 * key the public view is shown.  No personal data goes to the console. */
(function () {
  'use strict';

  DT.strings({
    en: {
      'track.title': 'Track a shipment',
      'track.label': 'Waybill, B/L, AWB or container number',
      'track.placeholder': 'e.g. YYBL2026001 or CSQU3054383',
      'track.go': 'Track',
      'track.hint': 'Enter the number printed on your documents or on the container.',
      'track.several': 'Several shipments carry this number:',
      'track.notfound': 'Nothing is known under “{ref}”. Check the number and try again.',
      'track.empty': 'Enter a number.',
      'wb.title': 'Shipment', 'wb.status': 'Status', 'wb.location': 'Location',
      'wb.eta': 'ETA', 'wb.route': 'Route', 'wb.customs': 'Customs', 'wb.at_risk': 'At risk:',
      'wb.at_risk_public': 'a booked connection may be missed',
      'wb.no_status': 'no event yet', 'wb.no_location': 'not reported yet',
      'wb.notfound': 'No shipment has the number “{number}”.',
      'wb.token_refused': 'The consignee token in the link was not accepted: showing the public view.',
      'view.public': 'public view', 'view.full': 'full view',
      'view.public.title': 'Names and phone numbers are masked. Open the link with the consignee token, or enter a key, to see everything.',
      'map.title': 'Map',
      'map.note.wait': 'No position reported yet: by the timetable the cargo is at {place}.',
      'map.note.interp': 'Position estimated from the leg’s times ({pct}% of {from} → {to}).',
      'map.note.loc': 'Last reported position: {place}, {time}.',
      'map.note.none': 'No position reported yet.',
      'eta.title': 'How the ETA moved', 'eta.at': 'changed', 'eta.eta': 'ETA', 'eta.source': 'source',
      'eta.none': 'No ETA recorded yet.', 'eta.chart': 'ETA against the time it changed',
      'eta.axis.x': 'when it changed', 'eta.axis.y': 'ETA',
      'legs.title': 'Legs', 'legs.mode': 'Mode', 'legs.from': 'From', 'legs.to': 'To',
      'legs.carrier': 'Carrier',
      'legs.dep': 'Departure', 'legs.arr': 'Arrival', 'legs.delay': 'Delay',
      'legs.sched': 'timetable: {time}',
      'legs.delay_min': '{n} min', 'legs.none': 'No legs are booked.',
      'tl.title': 'Timeline', 'tl.none': 'No events yet.',
      'tl.needs_token': 'The timeline is shown with the consignee’s tracking link (token) or an API key that may see this shipment.',
      'tl.more': 'and {n} more', 'tl.status': 'Status', 'tl.time': 'Time', 'tl.place': 'Place',
      'parties.title': 'Parties', 'parties.shipper': 'Shipper', 'parties.consignee': 'Consignee',
      'parties.name': 'Name', 'parties.phone': 'Phone', 'parties.address': 'Address',
      'parties.account': 'Account',
      'live.connecting': 'connecting to live updates…', 'live.open': 'live',
      'live.closed': 'live updates interrupted: retrying in {s} s',
      'cus.not_linked': 'no declaration linked yet', 'cus.mismatch': 'documents do not match',
      'cus.alerts': 'open alerts', 'cus.incomplete': 'a document is missing',
      'cus.released': 'released', 'cus.matched': 'documents match',
      'st.BOOKED': 'booked', 'st.DOCUMENTED': 'documented', 'st.RECEIVED': 'received',
      'st.GATE_IN': 'gated in', 'st.LOADED': 'loaded', 'st.DEPARTED': 'departed',
      'st.ARRIVED': 'arrived', 'st.DISCHARGED': 'discharged', 'st.TRANSSHIPPED': 'transshipped',
      'st.BORDER_CROSSED': 'crossed the border', 'st.CUSTOMS_HOLD': 'held by customs',
      'st.CUSTOMS_RELEASED': 'released by customs', 'st.GATE_OUT': 'gated out',
      'st.OUT_FOR_DELIVERY': 'out for delivery', 'st.DELIVERED': 'delivered',
      'st.CANCELLED': 'cancelled', 'st.EXCEPTION': 'exception'
    },
    zh: {
      'track.title': '货物追踪',
      'track.label': '运单号、提单号、空运单号或集装箱号',
      'track.placeholder': '例如 YYBL2026001 或 CSQU3054383',
      'track.go': '查询',
      'track.hint': '请输入单证或集装箱上印的号码。',
      'track.several': '此号码对应多票货物：',
      'track.notfound': '未找到“{ref}”。请核对号码后重试。',
      'track.empty': '请输入号码。',
      'wb.title': '货物', 'wb.status': '状态', 'wb.location': '位置',
      'wb.eta': '预计到达', 'wb.route': '路线', 'wb.customs': '海关', 'wb.at_risk': '有风险：',
      'wb.at_risk_public': '已订的衔接可能赶不上',
      'wb.no_status': '尚无事件', 'wb.no_location': '尚未报告',
      'wb.notfound': '没有号码为“{number}”的货物。',
      'wb.token_refused': '链接中的收货人令牌无效：显示公开视图。',
      'view.public': '公开视图', 'view.full': '完整视图',
      'view.public.title': '姓名和电话已隐去。请使用带收货人令牌的链接或输入密钥查看全部信息。',
      'map.title': '地图',
      'map.note.wait': '尚未报告位置：按时刻表货物在{place}。',
      'map.note.interp': '位置按该段的时间推算（{from} → {to} 的 {pct}%）。',
      'map.note.loc': '最后报告的位置：{place}，{time}。',
      'map.note.none': '尚未报告位置。',
      'eta.title': '预计到达时间的变化', 'eta.at': '变更时间', 'eta.eta': '预计到达', 'eta.source': '来源',
      'eta.none': '尚无预计到达时间记录。', 'eta.chart': '预计到达时间随变更时间的变化',
      'eta.axis.x': '变更时间', 'eta.axis.y': '预计到达',
      'legs.title': '运输段', 'legs.mode': '方式', 'legs.from': '起点', 'legs.to': '终点',
      'legs.carrier': '承运人',
      'legs.dep': '出发', 'legs.arr': '到达', 'legs.delay': '延误',
      'legs.sched': '时刻表：{time}',
      'legs.delay_min': '{n} 分钟', 'legs.none': '未订运输段。',
      'tl.title': '时间线', 'tl.none': '尚无事件。',
      'tl.needs_token': '时间线需使用收货人的追踪链接（令牌）或有权查看此货物的 API 密钥。',
      'tl.more': '另有 {n} 条', 'tl.status': '状态', 'tl.time': '时间', 'tl.place': '地点',
      'parties.title': '相关方', 'parties.shipper': '发货人', 'parties.consignee': '收货人',
      'parties.name': '名称', 'parties.phone': '电话', 'parties.address': '地址',
      'parties.account': '账户',
      'live.connecting': '正在连接实时更新…', 'live.open': '实时',
      'live.closed': '实时更新中断：{s} 秒后重试',
      'cus.not_linked': '尚未关联报关单', 'cus.mismatch': '单证不符',
      'cus.alerts': '有未处理的预警', 'cus.incomplete': '缺少单证',
      'cus.released': '已放行', 'cus.matched': '单证相符',
      'st.BOOKED': '已订舱', 'st.DOCUMENTED': '单证已备', 'st.RECEIVED': '已收货',
      'st.GATE_IN': '已进闸', 'st.LOADED': '已装船/装车', 'st.DEPARTED': '已出发',
      'st.ARRIVED': '已到达', 'st.DISCHARGED': '已卸货', 'st.TRANSSHIPPED': '已中转',
      'st.BORDER_CROSSED': '已过境', 'st.CUSTOMS_HOLD': '海关扣留',
      'st.CUSTOMS_RELEASED': '海关放行', 'st.GATE_OUT': '已出闸',
      'st.OUT_FOR_DELIVERY': '派送中', 'st.DELIVERED': '已签收',
      'st.CANCELLED': '已取消', 'st.EXCEPTION': '异常'
    }
  });

  var $ = function (id) { return document.getElementById(id); };
  var el = DT.el, t = DT.t;
  var NS = 'http://www.w3.org/2000/svg';

  var S = {
    number: null,      /* the waybill shown, or null on the search page */
    token: '',         /* the consignee token of this tab, if any */
    wb: null,          /* GET /v1/waybills/{number} */
    etaHist: null,     /* GET .../eta history array */
    events: null,      /* the timeline, newest first; null: not available */
    eventsNote: false, /* the timeline needs a token or key */
    nodes: {},         /* code -> node (or false: unknown) */
    byName: {},        /* a place's name (public view) -> its code (or false) */
    geoms: [],         /* per leg: {geometry, mode, km[]} */
    legsSig: '',       /* the legs the map was drawn for */
    map: null,
    es: null, esState: 'closed', backoff: 1000, retryAt: 0, retryTimer: null, opens: 0,
    refetchTimer: null, loadSeq: 0
  };

  /* ---------- small helpers ---------- */
  function opts() { return S.token ? {token: S.token} : {}; }
  function wbPath(rest) { return '/v1/waybills/' + encodeURIComponent(S.number) + (rest || ''); }
  function tr() { return (S.wb && S.wb.tracking) || {}; }
  function isFull() { return !!(S.wb && S.wb.view === 'full'); }
  function ms(iso) { var v = iso ? Date.parse(iso) : NaN; return isNaN(v) ? null : v; }
  var tOr = DT.tOr;
  function statusText(st) { return st ? tOr('st.' + st, st) : t('wb.no_status'); }
  function srcText(src) { return src ? tOr('src.' + src, src) : ''; }
  function modeText(m) { return m ? tOr('mode.' + m, m) : ''; }
  function clsText(c) { return tOr('cls.' + c, c); }
  function nodeName(code) {
    var n = S.nodes[code];
    if (!n) return code;
    return (DT.lang() === 'zh' && n.name_zh) ? n.name_zh : (n.name_en || code);
  }
  function placeLabel(code) {
    var n = nodeName(code);
    return n === code ? code : n + ' (' + code + ')';
  }
  function clear(node) { node.textContent = ''; return node; }

  /* ---------- the search ---------- */
  function search(ev) {
    ev.preventDefault();
    var ref = $('track-input').value.trim();
    var choices = $('track-choices');
    choices.hidden = true;
    DT.showError('track-error', null);
    if (!ref) { DT.showError('track-error', t('track.empty')); return; }
    DT.api('/v1/track/' + encodeURIComponent(ref)).then(function (j) {
      var list = (j && j.waybills) || [];
      if (list.length === 1) { location.assign('/track/' + encodeURIComponent(list[0])); return; }
      if (!list.length) { DT.showError('track-error', t('track.notfound', {ref: ref})); return; }
      var ul = clear(choices.querySelector('ul'));
      list.forEach(function (n) {
        ul.appendChild(el('li', null, [el('a', {href: '/track/' + encodeURIComponent(n), text: n})]));
      });
      choices.hidden = false;
      $('track-hint').hidden = true;
    }, function (err) {
      if (err && err.status === 404) DT.showError('track-error', t('track.notfound', {ref: ref}));
      else DT.showError('track-error', err);
    });
  }

  /* ---------- loading ---------- */
  function loadWaybill() {
    var seq = ++S.loadSeq;
    return DT.api(wbPath(), opts()).then(function (j) {
      if (seq !== S.loadSeq) return;
      if (S.token && j && j.view !== 'full') {
        /* a token that opens nothing: forget it, the key (if any) decides */
        S.tokenRefused = true;
        S.token = '';
        try { sessionStorage.removeItem('dt.token.' + S.number); } catch (e) { /* ignore */ }
        return loadWaybill();
      }
      S.wb = j;
      DT.showError('track-error', null);
      lookupLocation();
      $('wb').hidden = false;
      renderAll();
      drawMap();
      loadEta();
      loadTimeline();
    }, function (err) {
      if (seq !== S.loadSeq) return;
      if (err && err.status === 404)
        DT.showError('track-error', t('wb.notfound', {number: S.number}) + ' ' + String(err));
      else DT.showError('track-error', err);
    });
  }

  function loadEta() {
    return DT.api(wbPath('/eta'), opts()).then(function (j) {
      S.etaHist = (j && j.history) || [];
      renderEta();
    }, function (err) { DT.showError('track-error', err); });
  }

  /* The timeline, every page of it, newest first.  The public view is
   * refused (404) by the server: not asked, a note says why. */
  function loadTimeline() {
    if (!isFull()) {
      S.events = null; S.eventsNote = true;
      renderTimeline();
      return Promise.resolve();
    }
    var all = [];
    function page(cursor, left) {
      var p = wbPath('/events?limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      return DT.api(p, opts()).then(function (j) {
        all = all.concat((j && j.events) || []);
        if (j && j.next_cursor && left > 1) return page(j.next_cursor, left - 1);
      });
    }
    return page(null, 25).then(function () {
      S.events = all; S.eventsNote = false;
      sortEvents();
      renderTimeline();
      lookupEventPlaces();
    }, function (err) {
      if (err && err.status === 404) { S.events = null; S.eventsNote = true; renderTimeline(); }
      else DT.showError('track-error', err);
    });
  }

  function sortEvents() {
    S.events.sort(function (a, b) {
      return (b.event_ts || 0) - (a.event_ts || 0) || (b.received_ts || 0) - (a.received_ts || 0);
    });
  }

  /* Node lookups: the stops by GET /v1/nodes/{code}; places named by
   * events (any code a carrier sent) by the search, which answers 200
   * with nothing rather than 404 for a code the network does not know. */
  function fetchNode(code) {
    if (S.nodes[code] !== undefined) return Promise.resolve(S.nodes[code]);
    return DT.api('/v1/nodes/' + encodeURIComponent(code), {noKey: true}).then(function (n) {
      S.nodes[code] = n || false;
      return S.nodes[code];
    }, function () { S.nodes[code] = false; return false; });
  }
  function searchNode(code) {
    if (S.nodes[code] !== undefined) return Promise.resolve(S.nodes[code]);
    S.nodes[code] = false;
    return DT.api('/v1/nodes?q=' + encodeURIComponent(code), {noKey: true}).then(function (j) {
      var hit = ((j && j.nodes) || []).filter(function (n) { return n.code === code; })[0];
      S.nodes[code] = hit || false;
      return S.nodes[code];
    }, function () { return false; });
  }
  function lookupEventPlaces() {
    var codes = {};
    (S.events || []).forEach(function (e) {
      var c = e.location && e.location.code;
      if (c && S.nodes[c] === undefined) codes[c] = 1;
    });
    var list = Object.keys(codes).slice(0, 30);
    if (!list.length) return;
    Promise.all(list.map(searchNode)).then(renderTimeline);
  }

  /* ---------- rendering ---------- */
  function renderAll() {
    if (!S.wb) return;
    renderSummary();
    renderLegs();
    renderParties();
    renderEta();
    renderTimeline();
    updateMarker();
    renderLive();
  }

  /* The code of the place the public view names (by name only), if it is
   * one of the stops the page knows. */
  function codeOfName(name) {
    var hit = S.byName[name] || null;
    Object.keys(S.nodes).forEach(function (c) {
      var n = S.nodes[c];
      if (n && name && (n.name_en === name || n.name_zh === name)) hit = c;
    });
    return hit;
  }

  /* ISO time (UTC as the server keeps status times) in the local time of
   * place CODE when its time zone is known. */
  function localTime(iso, code) {
    var n = code && S.nodes[code], v = ms(iso);
    if (!n || !n.tz || v == null || typeof Intl === 'undefined') return iso;
    try {
      var parts = new Intl.DateTimeFormat('en-US', {timeZone: n.tz, timeZoneName: 'longOffset'})
        .formatToParts(new Date(v));
      var z = parts.filter(function (x) { return x.type === 'timeZoneName'; })[0];
      var m = z && /GMT(?:([+-])(\d\d):(\d\d))?$/.exec(z.value);
      if (!m) return iso;
      return inZone(iso, m[1] ? (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]) : 0);
    } catch (e) { return iso; }
  }

  /* the node of the reported location (its local name, time zone) */
  function lookupLocation() {
    var w = S.wb, loc = tr().location, c = loc && loc.code;
    function again() { if (S.wb === w) { renderSummary(); updateMarker(); } }
    if (c && S.nodes[c] === undefined) searchNode(c).then(again);
    else if (loc && !c && loc.name && S.byName[loc.name] === undefined) {
      /* the public view names the place only: find it by its name */
      S.byName[loc.name] = false;
      DT.api('/v1/nodes?q=' + encodeURIComponent(loc.name.slice(0, 90)), {noKey: true}).then(function (j) {
        var hit = ((j && j.nodes) || []).filter(function (n) {
          return n.name_en === loc.name || n.name_zh === loc.name;
        })[0];
        if (hit) {
          S.byName[loc.name] = hit.code;
          if (!S.nodes[hit.code]) S.nodes[hit.code] = hit;
          again();
        }
      }, function () { /* the name stays as the server wrote it */ });
    }
  }

  function renderSummary() {
    var w = S.wb, k = tr();
    document.title = 'Dongting · ' + w.number;
    $('wb-number').textContent = w.number;
    var v = $('wb-view');
    v.textContent = t('view.' + w.view);
    v.className = 'badge view-' + w.view;
    v.title = w.view === 'public' ? t('view.public.title') : '';
    var refused = S.tokenRefused && w.view !== 'full';
    $('wb-view-note').hidden = !refused;
    $('wb-view-note').textContent = refused ? t('wb.token_refused') : '';
    $('wb-status').textContent = statusText(k.status);
    var loc = k.location, lc = loc && (loc.code || codeOfName(loc.name));
    if (k.status_time) $('wb-status').appendChild(el('span', {class: 'muted small sub',
                                                        text: DT.fmtTime(localTime(k.status_time, lc))}));
    $('wb-location').textContent = !loc ? t('wb.no_location')
      : lc && S.nodes[lc] ? nodeName(lc) + (loc.code ? ' (' + loc.code + ')' : '')
      : (loc.name || loc.code || '') + (loc.country && !loc.code ? ', ' + loc.country : '');
    $('wb-eta').textContent = DT.fmtTime(k.eta);
    var src = $('wb-eta-source');
    src.textContent = srcText(k.eta_source);
    src.className = 'badge src-' + (k.eta_source || 'none');
    src.hidden = !k.eta_source;
    $('wb-eta-note').textContent = k.eta_confidence || '';
    $('wb-eta-note').hidden = !k.eta_confidence;
    $('wb-route').textContent = placeLabel(w.origin) + ' → ' + placeLabel(w.destination);
    var risk = $('wb-risk');
    risk.hidden = !k.at_risk;
    $('wb-risk-reason').textContent = k.at_risk ? (k.risk_reason || t('wb.at_risk_public')) : '';
    var cus = k.customs && k.customs.state;
    $('wb-customs-box').hidden = !cus;
    $('wb-customs').textContent = cus ? tOr('cus.' + cus, cus) +
      (k.customs.open_alerts ? ' (' + k.customs.open_alerts + ')' : '') : '';
    $('wb-customs').className = cus ? 'cus-' + cus : '';
  }

  function renderLegs() {
    var table = clear($('legs'));
    var legs = S.wb.legs || [], cur = tr().legs || [], full = isFull();
    if (!legs.length) {
      table.appendChild(el('tbody', null, [el('tr', null, [el('td', {class: 'muted', text: t('legs.none')})])]));
      return;
    }
    var hasCarrier = legs.some(function (l) { return l.carrier; });
    var cols = ['#', t('legs.mode'), t('legs.from'), t('legs.to')];
    if (hasCarrier) cols.push(t('legs.carrier'));
    cols.push(t('legs.dep'), t('legs.arr'));
    if (full && cur.length) cols.push(t('legs.delay'));
    table.appendChild(el('thead', null, [el('tr', null, cols.map(function (c) {
      return el('th', {text: c});
    }))]));
    var tb = el('tbody');
    legs.forEach(function (l, i) {
      var c = cur[i] || {};
      var cells = [
        el('td', {text: String(i + 1)}),
        el('td', {class: 'c-mode'}, [el('span', {class: 'mode-chip mode-' + l.mode, text: modeText(l.mode)})]),
        el('td', {class: 'c-from', text: placeLabel(l.from)}), el('td', {class: 'c-to', text: placeLabel(l.to)})];
      if (hasCarrier) cells.push(el('td', {class: 'carrier' + (l.carrier ? '' : ' blank'),
                                           text: (l.carrier || '') + (l.trip_id ? ' · ' + l.trip_id : '')}));
      cells.push(timeCell(l.scheduled_departure, c.departure, c.departure_source),
                 timeCell(l.scheduled_arrival, c.arrival, c.arrival_source));
      if (full && cur.length) {
        cells.push(el('td', {class: 'c-delay ' + (c.delay_min > 0 ? 'late nowrap' : 'nowrap'),
                             text: c.delay_min != null ? t('legs.delay_min', {n: c.delay_min}) : ''}));
      }
      /* each cell names its column: a narrow screen shows the legs as cards */
      cells.forEach(function (td, j) { td.setAttribute('data-label', cols[j]); });
      tb.appendChild(el('tr', {class: 'leg', 'data-leg': String(i)}, cells));
    });
    table.appendChild(tb);
  }
  /* A leg's time: the current one with its source (full view), and the
   * timetable's below it when they differ; the public view has the
   * timetable's only. */
  function timeCell(sched, now, src) {
    var td = el('td', {class: 'leg-time'});
    td.appendChild(el('span', {class: 'nowrap', text: DT.fmtTime(now || sched)}));
    if (src) td.appendChild(el('span', {class: 'badge src-' + src, text: srcText(src)}));
    if (now && sched && ms(now) !== ms(sched))
      td.appendChild(el('span', {class: 'muted small sched', text: t('legs.sched', {time: DT.fmtTime(sched)})}));
    return td;
  }

  function renderParties() {
    var box = clear($('wb-parties'));
    var row = el('div', {class: 'row parties'});
    [['shipper', 'parties.shipper'], ['consignee', 'parties.consignee']].forEach(function (p) {
      var o = S.wb[p[0]];
      if (!o) return;
      var dl = el('dl', {class: 'party', id: 'wb-' + p[0]});
      ['name', 'phone', 'address', 'account'].forEach(function (f) {
        if (o[f] == null || o[f] === '') return;
        dl.appendChild(el('div', null, [el('dt', {text: t('parties.' + f)}), el('dd', {text: o[f]})]));
      });
      row.appendChild(el('div', null, [el('h3', {text: t(p[1])}), dl]));
    });
    box.appendChild(row);
  }

  /* The ETA history: a step chart of the ETA against the time it changed,
   * and the same as a table. */
  function renderEta() {
    var box = clear($('eta-history'));
    var h = S.etaHist;
    if (!h) { box.appendChild(el('p', {class: 'muted', text: t('loading')})); return; }
    if (!h.length) { box.appendChild(el('p', {class: 'muted', text: t('eta.none')})); return; }
    box.appendChild(etaChart(h));
    var table = el('table', {class: 'eta-table'}), off = zoneOffset(), zn = ' (' + zoneName(off) + ')';
    table.appendChild(el('thead', null, [el('tr', null, [el('th', {text: t('eta.at') + zn}),
      el('th', {text: t('eta.eta') + zn}), el('th', {text: t('eta.source')})])]));
    var tb = el('tbody');
    function cell(iso) { return inZone(iso, off).slice(0, 16).replace('T', ' '); }
    h.slice().reverse().forEach(function (r) {
      tb.appendChild(el('tr', null, [el('td', {class: 'nowrap', text: cell(r.at)}),
        el('td', {class: 'nowrap', text: cell(r.eta)}),
        el('td', null, [el('span', {class: 'badge src-' + r.source, text: srcText(r.source)})])]));
    });
    table.appendChild(tb);
    box.appendChild(el('div', {class: 'scroll eta-scroll'}, [table]));
  }

  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (a) { e.setAttribute(a, attrs[a]); });
    if (text != null) e.textContent = text;
    return e;
  }
  function p2(n) { return (n < 10 ? '0' : '') + n; }
  /* The ETA history is written in UTC; it is shown in the offset of the
   * destination (that of tracking.eta), like the ETA itself. */
  function zoneOffset() {
    var legs = S.wb.legs || [], iso = tr().eta ||
      (legs.length ? legs[legs.length - 1].scheduled_arrival : '');
    var m = /([+-])(\d\d):(\d\d)$/.exec(iso || '');
    return m ? (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]) : 0;
  }
  function zoneName(off) {
    if (!off) return 'UTC';
    var a = Math.abs(off);
    return 'UTC' + (off < 0 ? '-' : '+') + p2(Math.floor(a / 60)) + (a % 60 ? ':' + p2(a % 60) : '');
  }
  function inZone(iso, off) {
    var v = ms(iso);
    if (v == null) return iso;
    var d = new Date(v + off * 60000), a = Math.abs(off);
    return d.getUTCFullYear() + '-' + p2(d.getUTCMonth() + 1) + '-' + p2(d.getUTCDate()) + 'T' +
           p2(d.getUTCHours()) + ':' + p2(d.getUTCMinutes()) + ':' + p2(d.getUTCSeconds()) +
           (off ? (off < 0 ? '-' : '+') + p2(Math.floor(a / 60)) + ':' + p2(a % 60) : 'Z');
  }
  function shortTime(v, off) {
    /* compact: MM-DD HH:MM in the offset OFF */
    var d = new Date(v + off * 60000);
    return p2(d.getUTCMonth() + 1) + '-' + p2(d.getUTCDate()) + ' ' + p2(d.getUTCHours()) + ':' +
           p2(d.getUTCMinutes());
  }

  function etaChart(h) {
    var W = 480, H = 200, L = 92, R = 16, T = 14, B = 40, off = zoneOffset();
    var pts = h.map(function (r) { return {x: ms(r.at), y: ms(r.eta), r: r}; })
               .filter(function (p) { return p.x != null && p.y != null; });
    var chart = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'eta-chart', role: 'img',
                            'aria-label': t('eta.chart')});
    chart.appendChild(svg('title', null, t('eta.chart')));
    if (!pts.length) return chart;
    var x0 = Math.min.apply(null, pts.map(function (p) { return p.x; }));
    var x1 = Math.max.apply(null, pts.map(function (p) { return p.x; }));
    var y0 = Math.min.apply(null, pts.map(function (p) { return p.y; }));
    var y1 = Math.max.apply(null, pts.map(function (p) { return p.y; }));
    var now = Date.now();
    if (now > x1 && now - x1 < 90 * 864e5) x1 = now;   /* the last ETA holds until now */
    if (x1 - x0 < 36e5) { x0 -= 18e5; x1 += 18e5; }
    if (y1 - y0 < 36e5) { y0 -= 18e5 * 4; y1 += 18e5 * 4; }
    var pad = (y1 - y0) * 0.12; y0 -= pad; y1 += pad;
    function X(v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }
    function Y(v) { return T + (1 - (v - y0) / (y1 - y0)) * (H - T - B); }
    /* axes */
    chart.appendChild(svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}));
    chart.appendChild(svg('line', {x1: L, y1: T, x2: L, y2: H - B, class: 'axis'}));
    var ys = [];
    pts.forEach(function (p) { if (ys.indexOf(p.y) < 0) ys.push(p.y); });
    ys.sort(function (a, b) { return a - b; });
    (ys.length > 2 ? [ys[0], ys[ys.length - 1]] : ys).forEach(function (v) {
      chart.appendChild(svg('line', {x1: L - 4, y1: Y(v), x2: W - R, y2: Y(v), class: 'tick'}));
      chart.appendChild(svg('text', {x: L - 6, y: Y(v) + 4, class: 'lbl end'}, shortTime(v, off)));
    });
    [x0, x1].forEach(function (v, i) {
      chart.appendChild(svg('text', {x: X(v), y: H - B + 16, class: 'lbl' + (i ? ' end' : '')},
                            shortTime(v, off)));
    });
    chart.appendChild(svg('text', {x: (L + W - R) / 2, y: H - 6, class: 'lbl mid axis-title'},
                          t('eta.axis.x') + ' (' + zoneName(off) + ')'));
    chart.appendChild(svg('text', {x: 4, y: T + 2, class: 'lbl axis-title'}, t('eta.axis.y')));
    /* the step line: each ETA holds until the next change */
    var d = '';
    pts.forEach(function (p, i) {
      d += (i ? 'H' + X(p.x).toFixed(1) + 'V' : 'M' + X(p.x).toFixed(1) + ',') + Y(p.y).toFixed(1);
    });
    d += 'H' + X(x1).toFixed(1);
    chart.appendChild(svg('path', {d: d, class: 'eta-line'}));
    pts.forEach(function (p) {
      var c = svg('circle', {cx: X(p.x).toFixed(1), cy: Y(p.y).toFixed(1), r: 4.5,
                             class: 'eta-point src-' + p.r.source, 'data-at': p.r.at});
      c.appendChild(svg('title', null, DT.fmtTime(inZone(p.r.at, off)) + ' → ' +
                                       DT.fmtTime(inZone(p.r.eta, off)) + ' (' +
                                       srcText(p.r.source) + ')'));
      chart.appendChild(c);
    });
    return chart;
  }

  function renderTimeline() {
    var list = clear($('timeline')), note = $('timeline-note');
    note.hidden = !S.eventsNote;
    note.textContent = S.eventsNote ? t('tl.needs_token') : '';
    if (S.events == null) { list.hidden = true; return; }
    list.hidden = false;
    if (!S.events.length) {
      list.appendChild(el('li', {class: 'muted empty', text: t('tl.none')}));
      return;
    }
    S.events.forEach(function (e) {
      var cls = e.classifier || 'ACT';
      var code = e.location && e.location.code;
      var li = el('li', {class: 'event cls-' + cls + (e._fresh ? ' fresh' : ''),
                         'data-event-id': e.event_id || ''}, [
        el('span', {class: 'badge ' + cls, text: clsText(cls)}),
        el('span', {class: 'ev-status', text: statusText(e.status)}),
        el('time', {class: 'ev-time', datetime: e.event_time || '', text: DT.fmtTime(e.event_time)}),
        el('span', {class: 'ev-place', text: code ? placeLabel(code) : ''})
      ]);
      list.appendChild(li);
    });
  }

  /* ---------- the map ---------- */
  function legTimes(i) {
    var l = (S.wb.legs || [])[i] || {}, c = isFull() ? ((tr().legs || [])[i] || {}) : {};
    return {dep: ms(c.departure) || ms(l.scheduled_departure),
            arr: ms(c.arrival) || ms(l.scheduled_arrival)};
  }

  function drawMap() {
    var legs = S.wb.legs || [];
    var sig = legs.map(function (l) { return l.mode + ':' + l.from + '>' + l.to; }).join('|');
    if (!S.map) S.map = DT.map($('map'));
    if (sig === S.legsSig) { updateMarker(); return; }
    S.legsSig = sig;
    S.map.clear();
    S.geoms = [];
    var stops = [];
    legs.forEach(function (l) {
      if (stops.indexOf(l.from) < 0) stops.push(l.from);
      if (stops.indexOf(l.to) < 0) stops.push(l.to);
    });
    if (!legs.length) [S.wb.origin, S.wb.destination].forEach(function (c) { if (c) stops.push(c); });
    var nodesP = Promise.all(stops.map(fetchNode));
    var routesP = Promise.all(legs.map(function (l) {
      var q = '/v1/distance?from=' + encodeURIComponent(l.from) + '&to=' + encodeURIComponent(l.to) +
              '&mode=' + encodeURIComponent(l.mode);
      return DT.api(q, {noKey: true}).then(function (j) { return j && j.geometry; },
                                          function () { return null; });
    }));
    Promise.all([nodesP, routesP]).then(function (r) {
      if (sig !== S.legsSig) return;
      var geoms = r[1];
      legs.forEach(function (l, i) {
        var g = geoms[i];
        if (!g || g.type !== 'LineString') {
          /* no line from the server: a straight one between the stops */
          var a = S.nodes[l.from], b = S.nodes[l.to];
          g = a && b ? {type: 'LineString', coordinates: [[a.lon, a.lat], [b.lon, b.lat]]} : null;
        }
        S.geoms[i] = g ? {geometry: g, mode: l.mode, cum: cumulative(g.coordinates)} : null;
      });
      placeStops(stops);
      updateMarker();
      S.map.fit();
      renderSummary();
      renderLegs();
    });
  }

  function placeStops(stops) {
    S.stops = stops;
    S.map.clear();
    S.geoms.forEach(function (g) { if (g) S.map.route(g.geometry, g.mode); });
    /* the ends first; a stop next to one already labelled (two terminals
     * of one city) gets no label of its own */
    var order = stops.slice(), done = [];
    [S.wb.destination, S.wb.origin].forEach(function (c) {
      var i = order.indexOf(c);
      if (i > 0) { order.splice(i, 1); order.unshift(c); }
    });
    order.forEach(function (c) {
      var n = S.nodes[c];
      if (!n) return;
      var near = done.some(function (d) { return Math.abs(d.lon - n.lon) < 0.4 && Math.abs(d.lat - n.lat) < 0.3; });
      S.map.place(n.lon, n.lat, near ? '' : nodeName(c));
      done.push(n);
    });
  }

  function cumulative(coords) {
    var out = [0];
    for (var i = 1; i < coords.length; i++) {
      var a = coords[i - 1], b = coords[i];
      var kx = Math.cos((a[1] + b[1]) / 2 * Math.PI / 180);
      var dx = (b[0] - a[0]) * kx, dy = b[1] - a[1];
      out.push(out[i - 1] + Math.sqrt(dx * dx + dy * dy));
    }
    return out;
  }
  function along(g, f) {
    var c = g.geometry.coordinates, cum = g.cum, total = cum[cum.length - 1], want = f * total;
    for (var i = 1; i < c.length; i++) {
      if (cum[i] >= want) {
        var seg = cum[i] - cum[i - 1], u = seg > 0 ? (want - cum[i - 1]) / seg : 0;
        return [c[i - 1][0] + (c[i][0] - c[i - 1][0]) * u, c[i - 1][1] + (c[i][1] - c[i - 1][1]) * u];
      }
    }
    return c[c.length - 1];
  }

  /* Where to put the marker: the reported location, unless a leg is in
   * progress and nothing newer than its departure was reported: then on
   * that leg's line by the share of its time elapsed. */
  function position() {
    var w = S.wb, k = tr(), legs = w.legs || [], now = Date.now();
    var loc = k.location, locAt = ms(k.status_time), ll = null;
    var lc = loc && (loc.code || codeOfName(loc.name));   /* the public view names it only */
    if (loc && loc.lat != null && loc.lon != null) ll = [loc.lon, loc.lat];
    else if (lc && S.nodes[lc]) ll = [S.nodes[lc].lon, S.nodes[lc].lat];
    for (var i = 0; i < legs.length; i++) {
      var tm = legTimes(i), g = S.geoms[i];
      if (tm.dep == null || tm.arr == null || !g || tm.arr <= tm.dep) continue;
      if (now >= tm.dep && now < tm.arr && (!ll || locAt == null || locAt < tm.dep)) {
        var f = (now - tm.dep) / (tm.arr - tm.dep);
        var p = along(g, f);
        return {lon: p[0], lat: p[1], interp: true, leg: i, pct: Math.round(f * 100),
                label: modeText(legs[i].mode)};
      }
    }
    if (ll) {
      var name = lc && S.nodes[lc] ? nodeName(lc) : (loc.name || loc.code);
      return {lon: ll[0], lat: ll[1], label: atStop(ll) ? '' : name, place: name,
              at: localTime(k.status_time, lc)};
    }
    /* nothing reported: where the timetable says it waits */
    var code = w.origin;
    legs.forEach(function (l, j) { var tm = legTimes(j); if (tm.arr != null && now >= tm.arr) code = l.to; });
    var n = S.nodes[code];
    if (n) return {lon: n.lon, lat: n.lat, label: '', none: true, waiting: nodeName(code)};
    return null;
  }

  /* the marker sits on a drawn stop: its label would cover the stop's */
  function atStop(ll) {
    return (S.stops || []).some(function (c) {
      var n = S.nodes[c];
      return n && Math.abs(n.lon - ll[0]) < 0.02 && Math.abs(n.lat - ll[1]) < 0.02;
    });
  }

  function updateMarker() {
    if (!S.map || !S.wb) return;
    var p = position(), note = $('map-note'), legs = S.wb.legs || [];
    if (p) S.map.marker(p.lon, p.lat, p.label); else S.map.marker(null);
    if (p && p.interp) note.textContent = t('map.note.interp', {pct: p.pct,
      from: nodeName(legs[p.leg].from), to: nodeName(legs[p.leg].to)});
    else if (p && p.place) note.textContent = t('map.note.loc', {place: p.place,
      time: DT.fmtTime(p.at)});
    else note.textContent = p && p.waiting ? t('map.note.wait', {place: p.waiting})
                                           : t('map.note.none');
  }

  /* ---------- live ---------- */
  function setLive(state) { S.esState = state; renderLive(); }
  function renderLive() {
    var b = $('live-status');
    b.setAttribute('data-state', S.esState);
    b.textContent = t('live.' + S.esState, {s: Math.max(1, Math.round((S.retryAt - Date.now()) / 1000))});
  }

  function connect() {
    if (S.es) S.es.close();
    clearTimeout(S.retryTimer);
    setLive('connecting');
    var url = wbPath('/stream') + (S.token ? '?token=' + encodeURIComponent(S.token) : '');
    var es = new EventSource(url);
    S.es = es;
    es.addEventListener('open', function () {
      if (S.es !== es) return;
      S.backoff = 1000;
      S.opens++;
      setLive('open');
    });
    es.addEventListener('error', function () {
      if (S.es !== es) return;
      /* reconnect ourselves, with a growing pause */
      es.close();
      S.es = null;
      S.retryAt = Date.now() + S.backoff;
      setLive('closed');
      S.retryTimer = setTimeout(connect, S.backoff);
      S.backoff = Math.min(S.backoff * 2, 30000);
    });
    ['hello', 'tracking', 'event'].forEach(function (name) {
      es.addEventListener(name, function (m) {
        if (S.es !== es) return;
        var data = null;
        try { data = JSON.parse(m.data); } catch (e) { return; }
        onMessage(name, data);
      });
    });
  }

  /* The stream is full for a token (and public with only a key, since an
   * EventSource cannot send a header): a full page fed by a public stream
   * fetches its views again instead of taking the message. */
  function onMessage(name, data) {
    if (!S.wb) return;
    var streamFull = !!S.token, pageFull = isFull();
    if (pageFull && !streamFull) { refetchSoon(); return; }
    if (name === 'event') {
      if (!S.events || !data || !data.event_id) return;
      if (S.events.some(function (e) { return e.event_id === data.event_id; })) return;
      data._fresh = true;
      setTimeout(function () { data._fresh = false; }, 3000);
      S.events.push(data);
      sortEvents();
      renderTimeline();
      lookupEventPlaces();
      loadEta();
      return;
    }
    /* hello or tracking: the tracking object of this view */
    if (data && typeof data === 'object' && Object.keys(data).length) {
      S.wb.tracking = data;
      lookupLocation();
      renderSummary();
      renderLegs();
      updateMarker();
    }
    if (name === 'tracking' || S.opens > 1) { loadEta(); loadTimeline(); }
  }

  function refetchSoon() {
    clearTimeout(S.refetchTimer);
    S.refetchTimer = setTimeout(loadWaybill, 300);
  }

  /* ---------- the page ---------- */
  function takeToken() {
    var params = new URLSearchParams(location.search);
    var tok = params.get('token');
    var store = 'dt.token.' + S.number;
    if (tok) {
      try { sessionStorage.setItem(store, tok); } catch (e) { /* kept for this page only */ }
      params.delete('token');
      var q = params.toString();
      history.replaceState(history.state, '', location.pathname + (q ? '?' + q : '') + location.hash);
      return tok;
    }
    try { return sessionStorage.getItem(store) || ''; } catch (e) { return ''; }
  }

  function start() {
    DT.header('track');
    DT.applyI18n();
    $('track-form').addEventListener('submit', search);
    var m = /^\/track\/([^/]+)\/?$/.exec(location.pathname);
    if (m) {
      try { S.number = decodeURIComponent(m[1]); } catch (e) { S.number = m[1]; }
    }
    if (!S.number) { $('track-input').focus(); return; }
    S.token = takeToken();
    $('track-hint').hidden = true;
    $('track-input').value = S.number;
    renderLive();
    loadWaybill().then(function () { if (S.wb) connect(); });
    setInterval(updateMarker, 30000);    /* an interpolated marker moves with the clock */
    DT.onKey(function () { if (!S.token) loadWaybill(); });
    /* with a key only, the stream is public: poll the full view now and then too */
    setInterval(function () {
      if (!S.token && isFull() && !document.hidden) loadWaybill();
    }, 30000);
  }

  DT.onLang(function () {
    if (S.wb) {
      renderAll();
      if (S.map && S.legsSig) {
        var stops = [];
        (S.wb.legs || []).forEach(function (l) {
          if (stops.indexOf(l.from) < 0) stops.push(l.from);
          if (stops.indexOf(l.to) < 0) stops.push(l.to);
        });
        placeStops(stops);
        updateMarker();
        S.map.fit();
      }
    }
    if (S.number) document.title = 'Dongting · ' + S.number;
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
