/* customs.js -- the customs desk (/customs, customs key): the alerts the
 * matching and the cross-checks raised, by severity; a declaration's
 * matching result and linked documents next to its waybill's events, the
 * alert's events flagged; acknowledging an alert.  The values shown are
 * the API's; nothing is logged. */
(function () {
  'use strict';

  DT.strings({
    en: {
      'cu.title': 'Customs desk', 'cu.severity': 'Severity', 'cu.refresh': 'Refresh',
      'cu.raised': 'Raised', 'cu.rule': 'Rule', 'cu.declared': 'Declared',
      'cu.observed': 'Observed', 'cu.order': 'orderNo / logisticsNo', 'cu.waybill': 'Waybill',
      'cu.state': 'State', 'cu.more': 'More', 'cu.matching': 'Document matching',
      'cu.mrule': 'Rule', 'cu.documents': 'Documents', 'cu.field': 'Field', 'cu.values': 'Values',
      'cu.linked': 'Linked documents', 'cu.events': 'Waybill events', 'cu.status': 'Status',
      'cu.time': 'Time', 'cu.location': 'Location', 'cu.alert': 'Alert',
      'cu.note': 'Note (optional)', 'cu.ack': 'Acknowledge',
      'cu.needkey': 'Enter a customs key in the box above to see the alerts.',
      'cu.wrongrole': 'This is a {role} key: the customs desk needs a customs (or admin) key.',
      'cu.count': '{n} alerts shown', 'cu.count.more': '{n} alerts shown, more to load',
      'cu.none': 'No alerts.', 'cu.loading': 'loading…',
      'cu.decl': '{message} declaration {id}', 'cu.eventsof': 'Events of waybill {number}',
      'cu.noevents': 'No events: no Dongting waybill is linked to this declaration yet.',
      'cu.nofailures': 'No failures.', 'cu.missing': '{document} missing (waiting {h} h)',
      'cu.notreceived': 'not received', 'cu.flagged': 'flagged by the alert',
      'f.message': 'Message', 'f.id': 'Id', 'f.kind': 'Kind', 'f.direction': 'Direction',
      'f.version': 'Version', 'f.return': 'Return status', 'f.updated': 'Last change',
      'f.tenant': 'Tenant', 'f.waybill': 'Waybill', 'f.route': 'Booked route',
      'f.eta': 'ETA', 'f.deleted': 'Deleted', 'f.rule': 'Rule', 'f.severity': 'Severity',
      'f.raised': 'Raised', 'f.state': 'State', 'f.declared': 'Declared',
      'f.observed': 'Observed', 'f.events': 'Events', 'f.ackby': 'Acknowledged by',
      'f.acknowledged': 'Acknowledged', 'f.note': 'Note', 'f.order': 'orderNo',
      'f.logistics': 'logisticsNo', 'yes': 'yes', 'no': 'no', 'none': 'none',
      'dir.import': 'import', 'dir.export': 'export',
      'state.open': 'open', 'state.acknowledged': 'acknowledged',
      'sev.all': 'all', 'sev.high': 'high', 'sev.medium': 'medium', 'sev.low': 'low',
      'ms.MATCHED': 'matched', 'ms.MISMATCH': 'mismatch', 'ms.INCOMPLETE': 'incomplete',
      'doc.order': 'order', 'doc.payment': 'payment', 'doc.waybill': 'waybill',
      'doc.inventory': 'inventory', 'doc.receipt': 'receipt',
      'ack.done': 'Acknowledged by {by} at {at}.',
      'ack.already': 'Already acknowledged: {message}',
      'rule.port_mismatch': 'port mismatch', 'rule.transport_mode_mismatch': 'transport mode mismatch',
      'rule.voyage_mismatch': 'voyage mismatch', 'rule.impossible_movement': 'impossible movement',
      'rule.weight_mismatch': 'weight mismatch', 'rule.undeclared_container': 'undeclared container',
      'rule.event_order': 'events out of order', 'rule.transit_off_route': 'transit off route',
      'rule.transit_overdue': 'transit overdue', 'rule.negative_list': 'on the negative list',
      'rule.document_mismatch': 'documents do not match',
      'st.LOADED': 'loaded', 'st.DISCHARGED': 'discharged', 'st.ARRIVED': 'arrived',
      'st.DEPARTED': 'departed', 'st.GATE_IN': 'gate in', 'st.GATE_OUT': 'gate out',
      'st.CUSTOMS_RELEASED': 'customs released', 'st.CUSTOMS_HOLD': 'customs hold',
      'st.DELIVERED': 'delivered', 'st.RECEIVED': 'received', 'st.BOOKED': 'booked',
      'st.TRANSSHIPPED': 'transshipped', 'st.BORDER_CROSSED': 'border crossed',
      'st.DOCUMENTED': 'documented', 'st.OUT_FOR_DELIVERY': 'out for delivery',
      'st.CANCELLED': 'cancelled', 'st.EXCEPTION': 'exception'
    },
    zh: {
      'cu.title': '海关工作台', 'cu.severity': '严重程度', 'cu.refresh': '刷新',
      'cu.raised': '产生时间', 'cu.rule': '规则', 'cu.declared': '申报值',
      'cu.observed': '实际值', 'cu.order': '订单号 / 物流运单号', 'cu.waybill': '运单',
      'cu.state': '状态', 'cu.more': '加载更多', 'cu.matching': '单证对碰',
      'cu.mrule': '规则', 'cu.documents': '单证', 'cu.field': '字段', 'cu.values': '值',
      'cu.linked': '关联单证', 'cu.events': '运单事件', 'cu.status': '状态',
      'cu.time': '时间', 'cu.location': '地点', 'cu.alert': '预警',
      'cu.note': '备注（可选）', 'cu.ack': '确认',
      'cu.needkey': '请在上方输入海关密钥以查看预警。',
      'cu.wrongrole': '当前为 {role} 密钥：海关工作台需要海关（或管理员）密钥。',
      'cu.count': '已显示 {n} 条预警', 'cu.count.more': '已显示 {n} 条预警，还有更多',
      'cu.none': '没有预警。', 'cu.loading': '加载中…',
      'cu.decl': '{message} 申报单 {id}', 'cu.eventsof': '运单 {number} 的事件',
      'cu.noevents': '没有事件：此申报单尚未关联洞庭运单。',
      'cu.nofailures': '没有不符项。', 'cu.missing': '缺少{document}（已等待 {h} 小时）',
      'cu.notreceived': '未收到', 'cu.flagged': '预警所涉事件',
      'f.message': '报文', 'f.id': '编号', 'f.kind': '类别', 'f.direction': '进出口',
      'f.version': '版本', 'f.return': '回执状态', 'f.updated': '最后变更',
      'f.tenant': '租户', 'f.waybill': '运单', 'f.route': '预订路线',
      'f.eta': '预计到达', 'f.deleted': '已删除', 'f.rule': '规则', 'f.severity': '严重程度',
      'f.raised': '产生时间', 'f.state': '状态', 'f.declared': '申报值',
      'f.observed': '实际值', 'f.events': '事件', 'f.ackby': '确认人',
      'f.acknowledged': '确认时间', 'f.note': '备注', 'f.order': '订单号',
      'f.logistics': '物流运单号', 'yes': '是', 'no': '否', 'none': '无',
      'dir.import': '进口', 'dir.export': '出口',
      'state.open': '待处理', 'state.acknowledged': '已确认',
      'sev.all': '全部', 'sev.high': '高', 'sev.medium': '中', 'sev.low': '低',
      'ms.MATCHED': '相符', 'ms.MISMATCH': '不符', 'ms.INCOMPLETE': '单证不全',
      'doc.order': '订单', 'doc.payment': '支付单', 'doc.waybill': '物流运单',
      'doc.inventory': '清单', 'doc.receipt': '收款单',
      'ack.done': '已由 {by} 于 {at} 确认。',
      'ack.already': '此前已确认：{message}',
      'rule.port_mismatch': '口岸不符', 'rule.transport_mode_mismatch': '运输方式不符',
      'rule.voyage_mismatch': '航次不符', 'rule.impossible_movement': '不可能的移动',
      'rule.weight_mismatch': '重量不符', 'rule.undeclared_container': '未申报的集装箱',
      'rule.event_order': '事件顺序异常', 'rule.transit_off_route': '转关偏离路线',
      'rule.transit_overdue': '转关超时', 'rule.negative_list': '信用负面清单',
      'rule.document_mismatch': '单证不符',
      'st.LOADED': '装船', 'st.DISCHARGED': '卸船', 'st.ARRIVED': '到达',
      'st.DEPARTED': '离开', 'st.GATE_IN': '进闸', 'st.GATE_OUT': '出闸',
      'st.CUSTOMS_RELEASED': '海关放行', 'st.CUSTOMS_HOLD': '海关扣留',
      'st.DELIVERED': '已交付', 'st.RECEIVED': '已收货', 'st.BOOKED': '已订舱',
      'st.TRANSSHIPPED': '已中转', 'st.BORDER_CROSSED': '已过境',
      'st.DOCUMENTED': '已制单', 'st.OUT_FOR_DELIVERY': '派送中',
      'st.CANCELLED': '已取消', 'st.EXCEPTION': '异常'
    }
  });

  var $ = function (id) { return document.getElementById(id); };
  var el = DT.el, t = DT.t;

  var alerts = [];          /* the rows loaded, in the API's order */
  var nextCursor = null;
  var current = null;       /* the alert shown in #declaration */
  var decl = null;          /* its declaration */
  var ackResult = null;     /* {key, vars} */
  var note = null;
  var seq = 0;

  var tr = DT.tOr;
  function ruleName(r) { return tr('rule.' + r, r); }
  function statusName(s) { return tr('st.' + s, s); }

  function setNote(key, vars) {
    note = key ? {key: key, vars: vars} : null;
    $('customs-note').textContent = note ? t(note.key, note.vars) : '';
    $('customs-note').hidden = !note;
  }


  var labelCells = DT.labelCells;

  /* ---- the alerts ---- */
  /* Declared and observed as the alert says them; a document mismatch
   * carries them in its failure (field, a value per document). */
  function sides(a) {
    if (a.declared != null || a.observed != null) {
      return [a.declared == null ? '' : String(a.declared), a.observed == null ? '' : String(a.observed)];
    }
    var f = a.failure;
    if (f && f.values) {
      var docs = f.documents || [];
      var side = function (i) {
        var v = f.values[i] == null ? '' : String(f.values[i]);
        return (f.field ? f.field + ' ' : '') + v + (docs[i] ? ' (' + docs[i].message + ')' : '');
      };
      return [side(0), side(1)];
    }
    return ['', ''];
  }

  function ruleCell(a) {
    var code = a.rule + (a.matching_rule ? ' / ' + a.matching_rule : '');
    return el('td', {class: 'rule'}, [el('span', {class: 'rule-name', text: ruleName(a.rule)}),
                                      el('code', {class: 'rule-code', text: code})]);
  }

  function alertRow(a) {
    var s = sides(a);
    var row = el('tr', {class: 'alert' + (current && current.id === a.id ? ' selected' : ''),
                        'data-alert-id': a.id, 'data-severity': a.severity,
                        'data-state': a.state || 'open', tabindex: '0'}, [
      el('td', {class: 'time', text: DT.fmtTime(a.raised)}),
      el('td', {}, [el('span', {class: 'badge ' + a.severity, text: tr('sev.' + a.severity, a.severity)})]),
      ruleCell(a),
      el('td', {class: 'val declared', text: s[0]}),
      el('td', {class: 'val observed', text: s[1]}),
      el('td', {class: 'refs'}, [el('div', {text: a.orderNo || '—'}),
                                 el('div', {class: 'muted', text: a.logisticsNo || '—'})]),
      el('td', {class: 'wb', text: a.waybill || '—'}),
      el('td', {class: 'state'}, [el('span', {class: 'state-' + (a.state || 'open'),
                                              text: tr('state.' + (a.state || 'open'), a.state)})])
    ]);
    return row;
  }

  function renderAlerts() {
    var tb = document.querySelector('#alerts tbody');
    tb.textContent = '';
    if (!alerts.length) {
      tb.appendChild(el('tr', {class: 'empty'}, [el('td', {colspan: '8', class: 'muted', text: t('cu.none')})]));
    }
    alerts.forEach(function (a) { tb.appendChild(alertRow(a)); });
    labelCells($('alerts'));
    $('alerts-more').hidden = !nextCursor;
    $('alerts-count').textContent = t(nextCursor ? 'cu.count.more' : 'cu.count', {n: alerts.length});
  }

  function loadAlerts(more) {
    DT.showError('customs-error', null);
    if (!DT.key()) { setNote('cu.needkey'); alerts = []; nextCursor = null; renderAlerts(); return; }
    var q = '/v1/customs/alerts?limit=100';
    var sev = $('alert-severity').value;
    if (sev) q += '&severity=' + encodeURIComponent(sev);
    if (more && nextCursor) q += '&cursor=' + encodeURIComponent(nextCursor);
    $('alerts-more').disabled = true;
    return DT.api(q).then(function (j) {
      var got = (j && j.alerts) || [];
      alerts = more ? alerts.concat(got) : got;
      nextCursor = (j && j.next_cursor) || null;
      renderAlerts();
    }, function (err) {
      DT.showError('customs-error', err);
    }).then(function () { $('alerts-more').disabled = false; });
  }

  /* ---- the declaration ---- */
  function fact(dl, key, value) {
    if (value == null || value === '') return;
    dl.appendChild(el('dt', {text: t(key)}));
    dl.appendChild(typeof value === 'string' ? el('dd', {text: value}) : el('dd', {}, [value]));
  }

  function returnText(d) {
    var r = d.return_status;
    if (r == null) {
      var rs = d.returns || [];
      if (!rs.length) return t('none');
      r = rs[rs.length - 1];
    }
    if (typeof r === 'object') {
      return [r.status, r.label].filter(Boolean).join(' ') + (r.time ? ' · ' + DT.fmtTime(r.time) : '');
    }
    var last = (d.returns || [])[(d.returns || []).length - 1];
    return String(r) + (last && last.label ? ' ' + last.label : '');
  }

  function keysText(keys) {
    return Object.keys(keys || {}).map(function (k) { return k + ' ' + keys[k]; }).join(' · ');
  }

  function renderDeclaration() {
    var sec = $('declaration');
    if (!current) { sec.hidden = true; return; }
    sec.hidden = false;
    var d = decl;
    $('decl-title').textContent = d ? t('cu.decl', {message: d.message, id: d.id})
                                    : t('cu.decl', {message: '', id: current.declaration});
    var head = $('decl-head');
    head.textContent = '';
    var mt = $('matching-failures').querySelector('tbody');
    mt.textContent = '';
    $('matching-missing').textContent = '';
    $('decl-documents').textContent = '';
    if (d) {
      fact(head, 'f.message', d.message);
      fact(head, 'f.id', d.id);
      fact(head, 'f.kind', tr('doc.' + d.kind, d.kind));
      fact(head, 'f.direction', d.direction ? tr('dir.' + d.direction, d.direction) : null);
      fact(head, 'f.version', d.version != null ? String(d.version) : null);
      fact(head, 'f.return', returnText(d));
      fact(head, 'f.updated', d.updated ? DT.fmtTime(d.updated) : null);
      if (d.deleted) fact(head, 'f.deleted', t('yes'));
      if (d.waybill) {
        fact(head, 'f.waybill', d.waybill.number + (d.waybill.mode ? ' · ' + DT.t('mode.' + d.waybill.mode) : ''));
        fact(head, 'f.route', (d.waybill.route || []).join(' → '));
        fact(head, 'f.eta', d.waybill.eta ? DT.fmtTime(d.waybill.eta) : null);
      }
      var m = d.matching || {};
      var ms = $('matching-status');
      ms.textContent = m.status ? tr('ms.' + m.status, m.status) : t('none');
      ms.className = 'badge ms-' + (m.status || 'none');
      ms.setAttribute('data-status', m.status || '');
      (m.failures || []).forEach(function (f) {
        mt.appendChild(el('tr', {class: 'failure'}, [
          el('td', {}, [el('code', {text: f.rule || ''}),
                        f.message ? el('div', {class: 'muted small', text: f.message}) : null]),
          el('td', {text: (f.documents || []).map(function (x) { return x.message + ' ' + x.id; }).join(', ')}),
          el('td', {text: f.field || ''}),
          el('td', {class: 'val', text: (f.values || []).map(String).join(' ≠ ') +
                                        (f.tolerance ? ' (± ' + f.tolerance + ')' : '')})
        ]));
      });
      if (!(m.failures || []).length) {
        mt.appendChild(el('tr', {}, [el('td', {colspan: '4', class: 'muted', text: t('cu.nofailures')})]));
      }
      labelCells($('matching-failures'));
      (m.missing || []).forEach(function (x) {
        $('matching-missing').appendChild(el('li', {class: 'missing', text: t('cu.missing', {
          document: tr('doc.' + x.document, x.document),
          h: x.waiting_s != null ? (x.waiting_s / 3600).toFixed(1) : '?'})}));
      });
      var docs = d.documents || {};
      Object.keys(docs).forEach(function (k) {
        var doc = docs[k];
        if (!doc && k === d.kind) doc = {message: d.message, id: d.id, keys: null};
        $('decl-documents').appendChild(el('li', {class: doc ? 'doc' : 'doc absent'}, [
          el('strong', {text: tr('doc.' + k, k)}), ' ',
          doc ? el('span', {text: doc.message + ' ' + doc.id}) : el('span', {class: 'muted', text: t('cu.notreceived')}),
          doc && doc.keys ? el('div', {class: 'muted small', text: keysText(doc.keys)}) : null
        ]));
      });
      (d.related || []).forEach(function (doc) {
        $('decl-documents').appendChild(el('li', {class: 'doc related'}, [
          el('strong', {text: doc.message || ''}), ' ', el('span', {text: doc.id || ''}),
          doc.keys ? el('div', {class: 'muted small', text: keysText(doc.keys)}) : null]));
      });
    } else {
      $('matching-status').textContent = t('cu.loading');
      $('matching-status').className = 'badge';
    }
    renderEvents();
    renderAlertDetail();
  }

  function renderEvents() {
    var tb = $('decl-events').querySelector('tbody');
    tb.textContent = '';
    var d = decl;
    $('decl-events-title').textContent = d && d.waybill ? t('cu.eventsof', {number: d.waybill.number})
                                                        : t('cu.events');
    var flagged = {};
    (current.events || []).forEach(function (id) { flagged[id] = true; });
    var evs = (d && d.events) || [];
    if (d && !evs.length) {
      tb.appendChild(el('tr', {}, [el('td', {colspan: '4', class: 'muted', text: t('cu.noevents')})]));
    }
    evs.forEach(function (e) {
      var cls = e.classifier || 'ACT';
      var f = flagged[e.event_id];
      tb.appendChild(el('tr', {class: 'event' + (f ? ' flagged' : ''), 'data-event-id': e.event_id || '',
                               title: (e.event_id || '') + (f ? ' — ' + t('cu.flagged') : '')}, [
        el('td', {}, [el('span', {class: 'badge ' + cls, text: cls})]),
        el('td', {}, [el('span', {text: statusName(e.status)}),
                      e.mode ? el('span', {class: 'muted small', text: ' ' + e.mode}) : null]),
        el('td', {class: 'time', text: DT.fmtTime(e.time || e.event_time)}),
        el('td', {text: typeof e.location === 'object' && e.location ? (e.location.code || e.location.name || '')
                                                                    : (e.location || '')})
      ]));
    });
  }

  function renderAlertDetail() {
    var a = current, dl = $('alert-facts');
    dl.textContent = '';
    var s = sides(a);
    fact(dl, 'f.rule', ruleName(a.rule) + ' (' + a.rule + ')');
    fact(dl, 'f.severity', el('span', {class: 'badge ' + a.severity, text: tr('sev.' + a.severity, a.severity)}));
    fact(dl, 'f.raised', DT.fmtTime(a.raised));
    fact(dl, 'f.state', tr('state.' + (a.state || 'open'), a.state));
    fact(dl, 'f.declared', s[0]);
    fact(dl, 'f.observed', s[1]);
    fact(dl, 'f.order', a.orderNo);
    fact(dl, 'f.logistics', a.logisticsNo);
    fact(dl, 'f.events', (a.events || []).join(', '));
    fact(dl, 'f.ackby', a.acknowledged_by);
    fact(dl, 'f.acknowledged', a.acknowledged ? DT.fmtTime(a.acknowledged) : null);
    fact(dl, 'f.note', a.note);
    $('alert-message').textContent = a.message || '';
    var acked = a.state === 'acknowledged';
    $('ack-button').disabled = acked;
    $('ack-note').disabled = acked;
    var r = $('ack-result');
    r.textContent = ackResult ? t(ackResult.key, ackResult.vars) : '';
    r.className = ackResult && ackResult.key === 'ack.done' ? 'ok' : (ackResult ? 'warn' : '');
    r.hidden = !ackResult;
  }

  function open(id) {
    var a = null;
    for (var i = 0; i < alerts.length; i++) if (alerts[i].id === id) a = alerts[i];
    if (!a) return;
    current = a;
    decl = null;
    ackResult = null;
    $('ack-note').value = '';
    document.querySelectorAll('#alerts tr.alert').forEach(function (r) {
      r.classList.toggle('selected', r.getAttribute('data-alert-id') === id);
    });
    renderDeclaration();
    $('declaration').scrollIntoView({block: 'start', behavior: 'smooth'});
    var my = ++seq;
    DT.api('/v1/customs/declarations/' + encodeURIComponent(a.declaration)).then(function (d) {
      if (my !== seq) return;
      decl = d;
      renderDeclaration();
    }, function (err) {
      if (my !== seq) return;
      DT.showError('customs-error', err);
    });
  }

  function setRowState(a) {
    var row = document.querySelector('#alerts tr.alert[data-alert-id="' + a.id + '"]');
    if (row) row.parentNode.replaceChild(alertRow(a), row);
    labelCells($('alerts'));
  }

  function ack(ev) {
    ev.preventDefault();
    if (!current) return;
    var a = current;
    var noteText = $('ack-note').value.trim();
    $('ack-button').disabled = true;
    DT.showError('customs-error', null);
    DT.api('/v1/customs/alerts/' + encodeURIComponent(a.id) + '/ack',
           {method: 'POST', body: noteText ? {note: noteText} : {}}).then(function (j) {
      Object.keys(j || {}).forEach(function (k) { a[k] = j[k]; });
      a.state = 'acknowledged';
      ackResult = {key: 'ack.done', vars: {by: a.acknowledged_by || '', at: DT.fmtTime(a.acknowledged)}};
      setRowState(a);
      if (current === a) renderAlertDetail();
    }, function (err) {
      if (err.status === 409) {
        a.state = 'acknowledged';
        ackResult = {key: 'ack.already', vars: {message: err.message}};
        setRowState(a);
        if (current === a) renderAlertDetail();
        return;
      }
      $('ack-button').disabled = false;
      DT.showError('customs-error', err);
    });
  }

  function checkKey() {
    if (!DT.key()) { setNote('cu.needkey'); alerts = []; nextCursor = null; renderAlerts(); return; }
    DT.api('/v1/whoami').then(function (w) {
      if (w.role !== 'customs' && w.role !== 'admin') setNote('cu.wrongrole', {role: w.role});
      else { setNote(null); loadAlerts(false); }
    }, function (err) { setNote(null); DT.showError('customs-error', err); });
  }

  function rowOf(target) { return target.closest ? target.closest('tr.alert') : null; }

  function wire() {
    $('alert-filter').addEventListener('submit', function (ev) { ev.preventDefault(); loadAlerts(false); });
    $('alert-severity').addEventListener('change', function () { loadAlerts(false); });
    $('alerts-more').addEventListener('click', function () { loadAlerts(true); });
    var tb = document.querySelector('#alerts tbody');
    tb.addEventListener('click', function (ev) {
      var r = rowOf(ev.target);
      if (r) open(r.getAttribute('data-alert-id'));
    });
    tb.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      var r = rowOf(ev.target);
      if (!r) return;
      ev.preventDefault();
      open(r.getAttribute('data-alert-id'));
    });
    $('ack-form').addEventListener('submit', ack);
  }

  function relabel() {
    setNote(note ? note.key : null, note ? note.vars : null);
    renderAlerts();
    if (current) renderDeclaration();
  }

  DT.header('customs');
  DT.applyI18n();
  wire();
  renderAlerts();
  checkKey();
  DT.onKey(function () {
    current = null; decl = null;
    DT.showError('customs-error', null);
    renderDeclaration();
    checkKey();
  });
  DT.onLang(relabel);
})();
