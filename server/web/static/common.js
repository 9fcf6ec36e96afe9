/* common.js -- what every Dongting page shares: the language (Chinese or
 * English, from the browser's Accept-Language via navigator.languages,
 * switchable, the choice kept in localStorage), the API key (kept in this
 * tab's sessionStorage only, never in a cookie or localStorage), fetch
 * helpers that send it, the page header, and time formatting.
 *
 * Pages add their own strings with DT.strings({en: {...}, zh: {...}}) and
 * mark translatable elements with data-i18n="key" (text) or
 * data-i18n-placeholder="key".  No framework, no build step. */
(function () {
  'use strict';

  var S = {
    en: {
      'nav.track': 'Track', 'nav.plan': 'Plan a route', 'nav.customs': 'Customs desk',
      'nav.ops': 'Operations', 'lang.other': '中文', 'key.label': 'API key',
      'key.save': 'Use key', 'key.clear': 'Forget key', 'key.none': 'no key (public view)',
      'key.role': 'signed in as {role} ({tenant})', 'key.bad': 'this key was refused',
      'err.network': 'the server did not answer', 'err.http': 'error {status}: {message}',
      'time.none': '—', 'src.scheduled': 'scheduled', 'src.estimated': 'estimated',
      'src.propagated': 'propagated delay', 'src.carrier': 'carrier estimate',
      'src.actual': 'actual', 'cls.PLN': 'planned', 'cls.EST': 'estimated', 'cls.ACT': 'actual',
      'mode.sea': 'sea', 'mode.river': 'river', 'mode.rail': 'rail', 'mode.air': 'air',
      'mode.road': 'road', 'loading': 'loading…'
    },
    zh: {
      'nav.track': '货物追踪', 'nav.plan': '路线规划', 'nav.customs': '海关工作台',
      'nav.ops': '运行监控', 'lang.other': 'English', 'key.label': 'API 密钥',
      'key.save': '使用密钥', 'key.clear': '清除密钥', 'key.none': '未登录（公开视图）',
      'key.role': '当前身份：{role}（{tenant}）', 'key.bad': '密钥无效',
      'err.network': '服务器无响应', 'err.http': '错误 {status}：{message}',
      'time.none': '—', 'src.scheduled': '计划', 'src.estimated': '预计',
      'src.propagated': '延误推算', 'src.carrier': '承运人预计',
      'src.actual': '实际', 'cls.PLN': '计划', 'cls.EST': '预计', 'cls.ACT': '实际',
      'mode.sea': '海运', 'mode.river': '内河', 'mode.rail': '铁路', 'mode.air': '空运',
      'mode.road': '公路', 'loading': '加载中…'
    }
  };

  function pickLang() {
    var saved = null;
    try { saved = localStorage.getItem('dt.lang'); } catch (e) { /* private mode */ }
    if (saved === 'zh' || saved === 'en') return saved;
    var langs = navigator.languages && navigator.languages.length ? navigator.languages
                                                                  : [navigator.language || 'en'];
    for (var i = 0; i < langs.length; i++) {
      var l = String(langs[i]).toLowerCase();
      if (l.indexOf('zh') === 0) return 'zh';
      if (l.indexOf('en') === 0) return 'en';
    }
    return 'en';
  }

  var lang = pickLang();

  function t(key, vars) {
    var s = (S[lang] && S[lang][key]) || S.en[key] || key;
    if (vars) s = s.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] == null ? '' : vars[k]; });
    return s;
  }

  /* The string for KEY, or FALLBACK when no language has one (a code the
   * server sent that the page has no name for). */
  function tOr(key, fallback) {
    var s = t(key);
    return s === key ? fallback : s;
  }

  function strings(add) {
    Object.keys(add).forEach(function (l) {
      S[l] = S[l] || {};
      Object.keys(add[l]).forEach(function (k) { S[l][k] = add[l][k]; });
    });
  }

  function applyI18n(root) {
    (root || document).querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    (root || document).querySelectorAll('[data-i18n-placeholder]').forEach(function (el) {
      el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
    });
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }

  var listeners = [];
  function setLang(l) {
    lang = l;
    try { localStorage.setItem('dt.lang', l); } catch (e) { /* private mode */ }
    applyI18n();
    listeners.forEach(function (f) { f(lang); });
  }
  function onLang(f) { listeners.push(f); }

  /* ---- the key: this tab only ---- */
  function key() {
    try { return sessionStorage.getItem('dt.key') || ''; } catch (e) { return ''; }
  }
  function setKey(k) {
    try {
      if (k) sessionStorage.setItem('dt.key', k); else sessionStorage.removeItem('dt.key');
    } catch (e) { /* storage refused: the key lives for this page only */ }
  }

  /* ---- the API ---- */
  /* STATUS 0: no answer.  FIELD: the JSON path a 422 names (error.field),
   * BODY: the whole parsed answer (a 503 /readyz carries its checks). */
  function ApiError(status, code, message, field, body) {
    this.status = status; this.code = code; this.message = message;
    this.field = field || null; this.body = body || null;
  }
  ApiError.prototype.toString = function () {
    return this.status ? t('err.http', {status: this.status, message: this.message})
                       : t('err.network');
  };

  /* fetch PATH with the key (or OPTS.token as a consignee token); resolves
   * to the parsed JSON (null for 204), rejects with an ApiError. */
  function api(path, opts) {
    opts = opts || {};
    var headers = {'Accept': 'application/json'};
    var k = opts.noKey ? '' : key();
    if (opts.token) headers['Authorization'] = 'Bearer ' + opts.token;
    else if (k) headers['Authorization'] = 'Bearer ' + k;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, {
      method: opts.method || 'GET', headers: headers,
      body: opts.body === undefined ? undefined
            : (typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)),
      cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer'
    }).then(function (res) {
      if (res.status === 204) return null;
      return res.text().then(function (txt) {
        var j = null;
        try { j = txt ? JSON.parse(txt) : null; } catch (e) { j = null; }
        if (!res.ok) {
          var e = j && j.error ? j.error : {};
          throw new ApiError(res.status, e.code || 'error', e.message || res.statusText,
                             e.field || e.path, j);
        }
        return j;
      });
    }, function () { throw new ApiError(0, 'network', ''); });
  }

  /* ---- time ---- */
  /* An ISO 8601 time as the server wrote it (with its offset): shown in
   * that place's local time, with the offset. */
  function fmtTime(iso) {
    if (!iso) return t('time.none');
    var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/.exec(iso);
    if (!m) return iso;
    var off = m[6] === 'Z' || !m[6] ? 'UTC' : 'UTC' + m[6].replace(/:00$/, '');
    return m[1] + '-' + m[2] + '-' + m[3] + ' ' + m[4] + ':' + m[5] + ' ' + off;
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (a) {
      if (a === 'text') e.textContent = attrs[a];
      else if (a === 'class') e.className = attrs[a];
      else if (a.indexOf('on') === 0) e.addEventListener(a.slice(2), attrs[a]);
      else e.setAttribute(a, attrs[a]);
    });
    (children || []).forEach(function (c) {
      if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  /* ---- the header: navigation, language, key ---- */
  function header(active) {
    var h = document.getElementById('dt-header');
    if (!h) return;
    h.textContent = '';
    var nav = el('nav', {class: 'dt-nav'});
    nav.appendChild(el('span', {class: 'dt-brand', text: '洞庭 Dongting'}));
    [['/', 'nav.track', 'track'], ['/plan', 'nav.plan', 'plan'],
     ['/customs', 'nav.customs', 'customs'], ['/ops', 'nav.ops', 'ops']].forEach(function (n) {
      nav.appendChild(el('a', {href: n[0], 'data-i18n': n[1], id: 'nav-' + n[2],
                               class: n[2] === active ? 'active' : ''}));
    });
    var langBtn = el('button', {id: 'dt-lang', type: 'button', 'data-i18n': 'lang.other',
                                onclick: function () { setLang(lang === 'zh' ? 'en' : 'zh'); }});
    nav.appendChild(langBtn);
    h.appendChild(nav);

    var kf = el('form', {class: 'dt-key', id: 'dt-key-form', autocomplete: 'off'});
    var input = el('input', {type: 'password', id: 'dt-key', 'data-i18n-placeholder': 'key.label',
                             autocomplete: 'off', spellcheck: 'false'});
    var who = el('span', {id: 'dt-who', class: 'dt-who'});
    kf.appendChild(input);
    kf.appendChild(el('button', {type: 'submit', 'data-i18n': 'key.save'}));
    kf.appendChild(el('button', {type: 'button', id: 'dt-key-clear', 'data-i18n': 'key.clear',
                                 onclick: function () { setKey(''); showWho(); fireKey(); }}));
    kf.appendChild(who);
    kf.addEventListener('submit', function (ev) {
      ev.preventDefault();
      setKey(input.value.trim());
      input.value = '';
      showWho();
      fireKey();
    });
    h.appendChild(kf);
    applyI18n(h);
    showWho();
  }

  var keyListeners = [];
  function onKey(f) { keyListeners.push(f); }
  function fireKey() { keyListeners.forEach(function (f) { f(key()); }); }

  var whoami = null;
  function showWho() {
    var who = document.getElementById('dt-who');
    whoami = null;
    if (!who) return Promise.resolve(null);
    if (!key()) {
      who.setAttribute('data-i18n', 'key.none');
      who.textContent = t('key.none');
      return Promise.resolve(null);
    }
    return api('/v1/whoami').then(function (j) {
      whoami = j;
      who.removeAttribute('data-i18n');
      who.textContent = t('key.role', {role: j.role, tenant: j.tenant || '-'});
      return j;
    }, function () {
      who.removeAttribute('data-i18n');
      who.textContent = t('key.bad');
      return null;
    });
  }
  onLang(function () { showWho(); });

  /* Each cell of TABLE's body gets its column head as data-label: the
   * narrow layout of app.css (table.stack) shows it before the value. */
  function labelCells(table) {
    var heads = table.querySelectorAll('thead th');
    table.querySelectorAll('tbody tr').forEach(function (row) {
      for (var i = 0; i < row.children.length; i++) {
        if (heads[i]) row.children[i].setAttribute('data-label', heads[i].textContent);
      }
    });
  }

  function showError(target, err) {
    var box = typeof target === 'string' ? document.getElementById(target) : target;
    if (!box) return;
    box.textContent = err ? String(err) : '';
    box.hidden = !err;
  }

  window.DT = {
    t: t, tOr: tOr, strings: strings, applyI18n: applyI18n, lang: function () { return lang; },
    setLang: setLang, onLang: onLang, key: key, setKey: setKey, onKey: onKey, api: api,
    ApiError: ApiError, fmtTime: fmtTime, el: el, header: header, whoami: function () { return whoami; },
    showWho: showWho, showError: showError, labelCells: labelCells
  };
})();
