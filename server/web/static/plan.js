/* plan.js -- the route planner (/plan): GET /v1/routes with a forwarder or
 * admin key, the Pareto itineraries as a table and on the map, and booking
 * one as a waybill (POST /v1/waybills with the itinerary as the API
 * returned it).  No personal data is logged. */
(function () {
  'use strict';

  DT.strings({
    en: {
      'plan.title': 'Plan a route', 'plan.from': 'From', 'plan.to': 'To',
      'plan.date': 'Cargo ready (UTC+8)', 'plan.optimize': 'Order by', 'plan.weight': 'Weight (kg)',
      'plan.weight.ph': '1000', 'plan.modes': 'Modes', 'plan.search': 'Find itineraries',
      'plan.results': 'Itineraries', 'plan.node.ph': 'place code, e.g. CNCSX',
      'opt.time': 'time', 'opt.cost': 'cost', 'opt.co2': 'CO2e',
      'col.departure': 'Departure', 'col.arrival': 'Arrival', 'col.days': 'Days',
      'col.transfers': 'Transfers', 'col.cost': 'Cost (USD)', 'col.co2': 'CO2e (kg)',
      'col.modes': 'Modes',
      'plan.needkey': 'Enter a forwarder or admin key in the box above to plan and book routes.',
      'plan.wrongrole': 'This is a {role} key: planning routes needs a forwarder or admin key.',
      'plan.nomodes': 'Choose at least one mode.',
      'plan.none': 'No itinerary: {reason}',
      'plan.count': '{n} itineraries from {from} to {to}, weight {w} kg, ordered by {opt}.',
      'plan.truncated': 'More journeys exist than shown.',
      'plan.searching': 'Searching…', 'plan.empty': 'Nothing searched yet.',
      'plan.book': 'Book', 'plan.cached': '(cached answer)',
      'book.title': 'Book this itinerary', 'book.number': 'Waybill number', 'book.type': 'Type',
      'book.shipper': 'Shipper', 'book.consignee': 'Consignee',
      'book.phone': 'Consignee phone (optional)', 'book.weight': 'Gross weight (kg)',
      'book.pieces': 'Pieces', 'book.container': 'Container (optional)',
      'book.container.ph': 'e.g. CSQU3054383', 'book.submit': 'Create waybill',
      'book.cancel': 'Cancel',
      'book.chosen': 'Itinerary {n}: {from} → {to}, departs {dep}, arrives {arr} ({modes}).',
      'book.created': 'Waybill {number} created.',
      'book.token': 'Consignee token (shown this once, keep it):',
      'book.track': 'Track {number} as its consignee',
      'book.field': 'Field {field}: {message}',
      'type.bl': 'B/L', 'type.hbl': 'house B/L', 'type.awb': 'air waybill',
      'type.hawb': 'house air waybill', 'type.cim_smgs': 'CIM/SMGS rail note',
      'type.cbec': 'cross-border e-commerce'
    },
    zh: {
      'plan.title': '路线规划', 'plan.from': '起点', 'plan.to': '终点',
      'plan.date': '货物备妥时间（UTC+8）', 'plan.optimize': '排序依据', 'plan.weight': '重量（千克）',
      'plan.weight.ph': '1000', 'plan.modes': '运输方式', 'plan.search': '查询方案',
      'plan.results': '运输方案', 'plan.node.ph': '地点代码，如 CNCSX',
      'opt.time': '时间', 'opt.cost': '费用', 'opt.co2': '碳排放',
      'col.departure': '出发', 'col.arrival': '到达', 'col.days': '天数',
      'col.transfers': '中转次数', 'col.cost': '费用（美元）', 'col.co2': '二氧化碳当量（千克）',
      'col.modes': '运输方式',
      'plan.needkey': '请在上方输入货代或管理员密钥，以规划和预订路线。',
      'plan.wrongrole': '当前为 {role} 密钥：规划路线需要货代或管理员密钥。',
      'plan.nomodes': '请至少选择一种运输方式。',
      'plan.none': '没有可用方案：{reason}',
      'plan.count': '从 {from} 到 {to} 共 {n} 个方案，重量 {w} 千克，按{opt}排序。',
      'plan.truncated': '还有更多方案未列出。',
      'plan.searching': '查询中…', 'plan.empty': '尚未查询。',
      'plan.book': '预订', 'plan.cached': '（缓存结果）',
      'book.title': '预订此方案', 'book.number': '运单号', 'book.type': '单据类型',
      'book.shipper': '发货人', 'book.consignee': '收货人',
      'book.phone': '收货人电话（可选）', 'book.weight': '毛重（千克）',
      'book.pieces': '件数', 'book.container': '集装箱号（可选）',
      'book.container.ph': '如 CSQU3054383', 'book.submit': '创建运单',
      'book.cancel': '取消',
      'book.chosen': '方案 {n}：{from} → {to}，{dep} 出发，{arr} 到达（{modes}）。',
      'book.created': '运单 {number} 已创建。',
      'book.token': '收货人令牌（仅显示这一次，请妥善保存）：',
      'book.track': '以收货人身份追踪 {number}',
      'book.field': '字段 {field}：{message}',
      'type.bl': '提单', 'type.hbl': '货代提单', 'type.awb': '航空运单',
      'type.hawb': '分运单', 'type.cim_smgs': '国际铁路联运运单',
      'type.cbec': '跨境电商'
    }
  });

  var $ = function (id) { return document.getElementById(id); };
  var el = DT.el;

  var nodes = {};          /* code -> node */
  var nodeList = [];
  var answer = null;       /* the last GET /v1/routes answer */
  var query = null;        /* what it was asked with */
  var selected = null, hover = null;
  var booking = null;      /* index of the itinerary being booked */
  var note = null;         /* {key, vars} shown in #plan-note */
  var summary = null;      /* {key, vars} */
  var created = null;      /* the 201 answer of the booking */
  var map = null;
  var drawn = [];          /* itinerary index of each path.route, in drawing order */

  /* ---- notes ---- */
  function setNote(key, vars) {
    note = key ? {key: key, vars: vars} : null;
    var n = $('plan-note');
    n.textContent = note ? DT.t(note.key, note.vars) : '';
    n.hidden = !note;
  }

  function checkKey() {
    if (!DT.key()) { setNote('plan.needkey'); return Promise.resolve(false); }
    return DT.api('/v1/whoami').then(function (w) {
      if (w.role !== 'forwarder' && w.role !== 'admin') {
        setNote('plan.wrongrole', {role: w.role});
        return false;
      }
      if (note && (note.key === 'plan.needkey' || note.key === 'plan.wrongrole')) setNote(null);
      return true;
    }, function (err) {
      setNote(null);
      DT.showError('plan-error', err);
      return false;
    });
  }

  /* ---- places ---- */
  function nodeName(n) {
    if (!n) return '';
    return DT.lang() === 'zh' ? (n.name_zh || n.name_en || n.code) : (n.name_en || n.code);
  }

  function fillNodes() {
    var dl = $('plan-nodes');
    dl.textContent = '';
    nodeList.forEach(function (n) {
      var o = el('option', {value: n.code});
      o.label = n.code + ' — ' + nodeName(n);
      o.textContent = n.code + ' — ' + nodeName(n);
      dl.appendChild(o);
    });
  }

  function loadNodes() {
    return DT.api('/v1/nodes', {noKey: true}).then(function (j) {
      nodeList = (j && j.nodes) || [];
      nodes = {};
      nodeList.forEach(function (n) { nodes[n.code] = n; });
      fillNodes();
    }, function (err) { DT.showError('plan-error', err); });
  }

  /* What was typed: a code as written, a code in another case, or a name. */
  function resolveNode(v) {
    v = v.trim();
    if (nodes[v] || !nodeList.length) return v;
    var up = v.toUpperCase();
    if (nodes[up]) return up;
    var m = /^(\S+)\s+—/.exec(v);
    if (m && nodes[m[1]]) return m[1];
    for (var i = 0; i < nodeList.length; i++) {
      var n = nodeList[i];
      if (n.name_en === v || n.name_zh === v) return n.code;
    }
    return v;
  }

  function label(code) {
    var n = nodes[code];
    return n ? code + ' ' + nodeName(n) : code;
  }

  /* ---- time ---- */
  /* Tomorrow 08:00 in UTC+8, as a datetime-local value. */
  function defaultDate() {
    var d = new Date(Date.now() + 8 * 3600 * 1000 + 86400 * 1000);
    var p = function (x) { return (x < 10 ? '0' : '') + x; };
    return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + 'T08:00';
  }

  function isoOf(local) {
    /* datetime-local gives YYYY-MM-DDTHH:MM or with :SS */
    return (local.length === 16 ? local + ':00' : local.slice(0, 19)) + '+08:00';
  }

  /* ---- geometry ---- */
  /* The LineStrings of an itinerary, each with its leg's mode: the API
   * writes a MultiLineString (one line per leg); a LineString, a Feature,
   * a FeatureCollection or a GeometryCollection are read as well. */
  function linesOf(it) {
    var out = [];
    var legs = it.legs || [];
    function modeAt(k, props) {
      if (props && props.mode) return props.mode;
      if (legs[k]) return legs[k].mode;
      return legs.length ? legs[legs.length - 1].mode : 'other';
    }
    function walk(g, k, props) {
      if (!g) return;
      if (g.type === 'FeatureCollection') {
        (g.features || []).forEach(function (f, i) { walk(f, i, f.properties); });
      } else if (g.type === 'Feature') {
        walk(g.geometry, k, g.properties);
      } else if (g.type === 'GeometryCollection') {
        (g.geometries || []).forEach(function (x, i) { walk(x, i, null); });
      } else if (g.type === 'MultiLineString') {
        (g.coordinates || []).forEach(function (c, i) {
          out.push({geom: {type: 'LineString', coordinates: c},
                    mode: modeAt(props && props.mode ? k : i, props)});
        });
      } else if (g.type === 'LineString') {
        out.push({geom: g, mode: modeAt(k || 0, props)});
      }
    }
    walk(it.geometry, 0, null);
    return out;
  }

  var MODES = {sea: 1, river: 1, rail: 1, air: 1, road: 1};

  function drawMap() {
    if (!map) return;
    map.clear();
    drawn = [];
    var its = (answer && answer.itineraries) || [];
    its.forEach(function (it, i) {
      linesOf(it).forEach(function (l) {
        if (!l.geom.coordinates || l.geom.coordinates.length < 2) return;
        drawn.push(i);
        map.route(l.geom, MODES[l.mode] ? l.mode : 'other');
      });
    });
    if (query) {
      [query.from, query.to].forEach(function (c) {
        var n = nodes[c];
        if (n) map.place(n.lon, n.lat, c);
      });
    }
    if (its.length || query) map.fit();
    tagRoutes();
  }

  /* map.js redraws its paths (when the basemap arrives, on fit): tag each
   * path.route with its itinerary in drawing order, and mark the one
   * shown. */
  function tagRoutes() {
    var box = $('map');
    var paths = box.querySelectorAll('path.route');
    var fresh = false;
    for (var i = 0; i < paths.length; i++) if (!paths[i].hasAttribute('data-itinerary')) fresh = true;
    if (fresh) {
      for (var j = 0; j < paths.length; j++) {
        if (drawn[j] != null) paths[j].setAttribute('data-itinerary', String(drawn[j]));
      }
    }
    var show = hover != null ? hover : selected;
    var top = [];
    for (var k = 0; k < paths.length; k++) {
      var p = paths[k];
      var idx = p.getAttribute('data-itinerary');
      var on = show != null && idx === String(show);
      p.classList.toggle('selected', on);
      p.classList.toggle('dimmed', show != null && !on);
      if (on) top.push(p);
    }
    /* the shown itinerary on top of the others (moving them is a mutation
     * the observer sees: move only when they are not last already) */
    if (top.length) {
      var parent = top[0].parentNode, kids = parent.children, last = true;
      for (var m = 0; m < top.length; m++) {
        if (kids[kids.length - top.length + m] !== top[m]) last = false;
      }
      if (!last) top.forEach(function (p) { parent.appendChild(p); });
    }
  }

  function highlight() {
    var rows = document.querySelectorAll('#itineraries tr.itinerary');
    for (var i = 0; i < rows.length; i++) {
      var idx = Number(rows[i].getAttribute('data-index'));
      rows[i].classList.toggle('selected', idx === selected);
      rows[i].classList.toggle('hover', idx === hover);
    }
    tagRoutes();
  }


  var labelCells = DT.labelCells;

  /* ---- the table ---- */
  function fmtNum(x, d) {
    if (x == null || isNaN(x)) return DT.t('time.none');
    return Number(x).toLocaleString(DT.lang() === 'zh' ? 'zh-CN' : 'en-US',
                                    {minimumFractionDigits: d, maximumFractionDigits: d});
  }

  function modesOf(it) {
    return (it.legs || []).map(function (l) { return DT.t('mode.' + l.mode); }).join(' → ');
  }

  function modeChips(it) {
    var span = el('span', {class: 'leg-modes'});
    (it.legs || []).forEach(function (l, i) {
      if (i) span.appendChild(document.createTextNode(' → '));
      span.appendChild(el('span', {class: 'leg-mode mode-' + l.mode,
                                   title: l.from + ' → ' + l.to + (l.carrier ? ' · ' + l.carrier : ''),
                                   text: DT.t('mode.' + l.mode)}));
    });
    return span;
  }

  function renderTable() {
    var tb = document.querySelector('#itineraries tbody');
    tb.textContent = '';
    var its = (answer && answer.itineraries) || [];
    its.forEach(function (it, i) {
      var book = el('button', {type: 'button', class: 'book', text: DT.t('plan.book'),
                               'data-index': String(i)});
      var tr = el('tr', {class: 'itinerary', 'data-index': String(i), tabindex: '0'}, [
        el('td', {class: 'dep', text: DT.fmtTime(it.departure)}),
        el('td', {class: 'arr', text: DT.fmtTime(it.arrival)}),
        el('td', {class: 'num days', text: fmtNum(it.duration_s / 86400, 1)}),
        el('td', {class: 'num transfers', text: String(it.transfers)}),
        el('td', {class: 'num cost', text: fmtNum(it.cost, 2)}),
        el('td', {class: 'num co2', text: fmtNum(it.co2e_kg, 1)}),
        el('td', {class: 'modes'}, [modeChips(it)]),
        el('td', {class: 'act'}, [book])
      ]);
      tb.appendChild(tr);
    });
    var s = $('plan-summary');
    s.textContent = summary ? DT.t(summary.key, summary.vars) : DT.t('plan.empty');
    if (answer && answer.truncated) s.textContent += ' ' + DT.t('plan.truncated');
    labelCells($('itineraries'));
    highlight();
  }

  function setSummary() {
    if (!answer || !query) { summary = null; return; }
    var b = answer.basis || {};
    summary = {key: 'plan.count', vars: {
      n: (answer.itineraries || []).length, from: query.from, to: query.to,
      w: b.weight_kg != null ? b.weight_kg : (query.weight || 1000),
      opt: DT.t('opt.' + (b.optimize || query.optimize))}};
  }

  /* ---- search ---- */
  function search(ev) {
    if (ev) ev.preventDefault();
    DT.showError('plan-error', null);
    var from = resolveNode($('plan-from').value), to = resolveNode($('plan-to').value);
    $('plan-from').value = from;
    $('plan-to').value = to;
    var modes = [];
    document.querySelectorAll('input[name=mode]').forEach(function (c) {
      if (c.checked) modes.push(c.value);
    });
    if (!modes.length) { setNote('plan.nomodes'); return; }
    if (!DT.key()) { setNote('plan.needkey'); return; }
    var q = {from: from, to: to, depart: isoOf($('plan-date').value), modes: modes.join(','),
             optimize: $('plan-optimize').value, weight: $('plan-weight').value.trim()};
    var params = 'from=' + encodeURIComponent(q.from) + '&to=' + encodeURIComponent(q.to) +
                 '&depart=' + encodeURIComponent(q.depart) + '&modes=' + encodeURIComponent(q.modes) +
                 '&optimize=' + encodeURIComponent(q.optimize);
    if (q.weight) params += '&weight_kg=' + encodeURIComponent(q.weight);
    setNote(null);
    var btn = $('plan-submit');
    btn.disabled = true;
    $('plan-summary').textContent = DT.t('plan.searching');
    DT.api('/v1/routes?' + params).then(function (j) {
      answer = j;
      query = q;
      selected = null; hover = null;
      closeBook();
      if (!j.itineraries || !j.itineraries.length) {
        setNote('plan.none', {reason: j.reason || '—'});
      }
      setSummary();
      renderTable();
      drawMap();
    }, function (err) {
      DT.showError('plan-error', err);
      answer = null;
      query = null;
      summary = null;
      selected = null; hover = null;
      closeBook();
      renderTable();
      drawMap();
    }).then(function () { btn.disabled = false; });
  }

  /* ---- booking ---- */
  var FIELDS = {
    'number': 'book-number', 'type': 'book-type', 'shipper': 'book-shipper',
    'shipper.name': 'book-shipper', 'consignee': 'book-consignee',
    'consignee.name': 'book-consignee', 'consignee.phone': 'book-consignee-phone',
    'cargo.weight_kg': 'book-weight', 'cargo.pieces': 'book-pieces', 'cargo': 'book-weight',
    'containers': 'book-container', 'containers[0]': 'book-container'
  };

  function chosenText() {
    if (booking == null || !answer) return '';
    var it = answer.itineraries[booking];
    return DT.t('book.chosen', {n: booking + 1, from: label(query.from), to: label(query.to),
                                dep: DT.fmtTime(it.departure), arr: DT.fmtTime(it.arrival),
                                modes: modesOf(it)});
  }

  function openBook(i) {
    booking = i;
    created = null;
    var f = $('book-form');
    f.hidden = false;
    $('book-chosen').textContent = chosenText();
    if (!$('book-weight').value) $('book-weight').value = query.weight || '1000';
    DT.showError('book-error', null);
    renderResult();
    clearInvalid();
    f.scrollIntoView({block: 'nearest'});
    $('book-number').focus();
  }

  function closeBook() {
    booking = null;
    $('book-form').hidden = true;
  }

  function clearInvalid() {
    document.querySelectorAll('#book-form .invalid').forEach(function (e) {
      e.classList.remove('invalid');
    });
  }

  function renderResult() {
    var box = $('book-result');
    box.textContent = '';
    box.hidden = !created;
    if (!created) return;
    var num = created.number;
    var tok = created.consignee_token || '';
    var href = '/track/' + encodeURIComponent(num) + (tok ? '?token=' + encodeURIComponent(tok) : '');
    box.appendChild(el('p', {class: 'ok', text: DT.t('book.created', {number: num})}));
    if (tok) {
      box.appendChild(el('p', {}, [DT.t('book.token') + ' ',
                                   el('code', {id: 'book-token', text: tok})]));
    }
    box.appendChild(el('p', {}, [el('a', {id: 'book-track-link', href: href,
                                          text: DT.t('book.track', {number: num})})]));
  }

  function book(ev) {
    ev.preventDefault();
    if (booking == null || !answer) return;
    clearInvalid();
    DT.showError('book-error', null);
    /* a waybill created before stays shown: its token is shown only once */
    var consignee = {name: $('book-consignee').value.trim()};
    var phone = $('book-consignee-phone').value.trim();
    if (phone) consignee.phone = phone;
    var body = {
      number: $('book-number').value.trim(),
      type: $('book-type').value,
      shipper: {name: $('book-shipper').value.trim()},
      consignee: consignee,
      origin: query.from, destination: query.to,
      cargo: {pieces: Number($('book-pieces').value), weight_kg: Number($('book-weight').value)},
      departure: query.depart,
      itinerary: answer.itineraries[booking]
    };
    var cont = $('book-container').value.trim().toUpperCase();
    if (cont) body.containers = [cont];
    var btn = $('book-submit');
    btn.disabled = true;
    DT.api('/v1/waybills', {method: 'POST', body: body}).then(function (j) {
      created = j;
      renderResult();
    }, function (err) {
      var field = err.field || '';
      if (!field && err.message) {
        var m = /^([A-Za-z_$][\w.$\[\]]*): /.exec(err.message);
        if (m) field = m[1];
      }
      field = field.replace(/^\$\.?/, '');
      var input = FIELDS[field] || FIELDS[field.replace(/\[\d+\]$/, '')];
      if (input) $(input).classList.add('invalid');
      DT.showError('book-error', err);
      if (field && err.message && err.message.indexOf(field + ':') !== 0) {
        $('book-error').textContent = DT.t('book.field', {field: field, message: String(err)});
      }
    }).then(function () { btn.disabled = false; });
  }

  /* ---- events ---- */
  function rowIndex(target) {
    var tr = target.closest ? target.closest('tr.itinerary') : null;
    return tr ? Number(tr.getAttribute('data-index')) : null;
  }

  function wire() {
    $('plan-form').addEventListener('submit', search);
    $('book-form').addEventListener('submit', book);
    $('book-cancel').addEventListener('click', closeBook);
    var tb = document.querySelector('#itineraries tbody');
    tb.addEventListener('mouseover', function (ev) {
      var i = rowIndex(ev.target);
      if (i !== hover) { hover = i; highlight(); }
    });
    tb.addEventListener('mouseleave', function () { hover = null; highlight(); });
    tb.addEventListener('click', function (ev) {
      var i = rowIndex(ev.target);
      if (i == null) return;
      if (ev.target.classList.contains('book')) {
        selected = i;
        highlight();
        openBook(i);
        return;
      }
      selected = selected === i ? null : i;
      highlight();
    });
    tb.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      var i = rowIndex(ev.target);
      if (i == null || ev.target.tagName === 'BUTTON') return;
      ev.preventDefault();
      selected = selected === i ? null : i;
      highlight();
    });
    /* a click on a drawn route selects its itinerary */
    $('map').addEventListener('click', function (ev) {
      var t = ev.target;
      if (!t.getAttribute || !t.hasAttribute('data-itinerary')) return;
      selected = Number(t.getAttribute('data-itinerary'));
      highlight();
      var row = document.querySelector('#itineraries tr.itinerary[data-index="' + selected + '"]');
      if (row) row.scrollIntoView({block: 'nearest'});
    });
    if (window.MutationObserver) {
      new MutationObserver(function (muts) {
        for (var i = 0; i < muts.length; i++) {
          if (muts[i].addedNodes.length && muts[i].target.classList &&
              muts[i].target.classList.contains('routes')) { tagRoutes(); return; }
        }
      }).observe($('map'), {childList: true, subtree: true});
    }
  }

  function relabel() {
    $('plan-from').setAttribute('placeholder', DT.t('plan.node.ph'));
    $('plan-to').setAttribute('placeholder', DT.t('plan.node.ph'));
    setNote(note ? note.key : null, note ? note.vars : null);
    setSummary();
    fillNodes();
    renderTable();
    if (booking != null) $('book-chosen').textContent = chosenText();
    renderResult();
  }

  DT.header('plan');
  DT.applyI18n();
  $('plan-date').value = defaultDate();
  map = DT.map($('map'));
  wire();
  relabel();
  loadNodes();
  checkKey();
  DT.onKey(function () { DT.showError('plan-error', null); checkKey(); });
  DT.onLang(relabel);
})();
