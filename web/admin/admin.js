// Comptoir admin: small enhancements only; every page works without this file.
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  window.comptoirCsrf = csrf;
  // Times are stored and sent in UTC: show them in the viewer's own zone.
  function localTimes(root) {
    (root || document).querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d)) { t.textContent = d.toLocaleString(); t.title = t.getAttribute('datetime'); }
    });
  }
  window.comptoirLocalTimes = localTimes;
  // The widget preview follows the branding form as one types (textContent only).
  function preview() {
    var box = document.querySelector('.preview');
    if (!box) return;
    var pv = function (n) { return box.querySelector('[data-pv="' + n + '"]'); };
    var update = function () {
      document.querySelectorAll('[data-preview]').forEach(function (input) {
        var v = input.value.trim();
        switch (input.getAttribute('data-preview')) {
          case 'name': pv('name').textContent = v || pv('name').getAttribute('data-default') || pv('name').textContent; break;
          case 'welcome': pv('welcome').textContent = v || 'Hello! How can I help you today?'; break;
          case 'color': if (/^#[0-9a-fA-F]{6}$/.test(v)) box.style.setProperty('--pv', v); break;
          case 'avatar':
            var img = pv('avatar');
            if (/^https?:\/\//.test(v)) { img.src = v; img.hidden = false; } else { img.hidden = true; img.removeAttribute('src'); }
            break;
        }
      });
    };
    var name = pv('name');
    if (name) name.setAttribute('data-default', name.textContent);
    document.querySelectorAll('[data-preview]').forEach(function (i) { i.addEventListener('input', update); });
    update();
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  // Polls a JSON URL while the page is visible, backing off on errors.
  function poll(url, every, onData) {
    var wait = every;
    var tick = function () {
      if (document.visibilityState !== 'visible') { setTimeout(tick, every); return; }
      fetch(typeof url === 'function' ? url() : url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) { wait = every; onData(d); })
        .catch(function () { wait = Math.min(wait * 2, 60000); })
        .then(function () { setTimeout(tick, wait); });
    };
    setTimeout(tick, every);
  }
  // The inbox list, live: rebuilt from JSON with textContent only. Only the first page has
  // `data-live` (the live JSON is the newest page, status filter kept): a later page stays.
  function liveList() {
    var list = document.getElementById('convlist');
    if (!list || !list.getAttribute('data-live')) return;
    var current = (list.querySelector('a[aria-current]') || {}).getAttribute ? list.querySelector('a[aria-current]').getAttribute('href') : null;
    poll(list.getAttribute('data-live'), 3000, function (rows) {
      var frag = document.createDocumentFragment();
      rows.forEach(function (c) {
        var li = el('li'), a = el('a');
        a.href = '/admin/inbox/' + encodeURIComponent(c.id);
        if (a.getAttribute('href') === current) a.setAttribute('aria-current', 'page');
        a.append(el('span', 'badge ' + c.status, c.status), ' ',
          el('small', 'muted', (c.locale || '') + ' · ' + c.turns + ' turns' + (c.lead_score ? ' · lead ' + c.lead_score : '')),
          el('br'));
        if (c.preview) a.append(el('span', 'preview-text', c.preview), el('br'));
        var t = el('time', null, new Date(c.updated_at).toLocaleString());
        t.setAttribute('datetime', new Date(c.updated_at).toISOString());
        var small = el('small'); small.append(t);
        a.append(small, ' ', el('code', 'muted', c.id.slice(-8)));
        li.append(a);
        frag.append(li);
      });
      if (!rows.length) frag.append(el('li', 'muted', 'No conversations yet.'));
      list.replaceChildren(frag);
    });
  }
  // The transcript, live: new turns appended as they come, the status badge kept current.
  function liveTranscript() {
    var box = document.getElementById('transcript');
    if (!box) return;
    var after = parseInt(box.getAttribute('data-after'), 10) || 0;
    var status = document.getElementById('conv-status');
    var changed = document.getElementById('conv-changed');
    poll(function () { return box.getAttribute('data-turns') + '?after=' + after; }, 2000, function (d) {
      var typed = document.getElementById('staff-text');
      if (status && status.textContent !== d.status) {
        // The status changed elsewhere (another teammate, the shopper asked for a person): the
        // answer form must change too. Not while a message is being typed: that would lose
        // it. Say so instead, and let the person reload when they have kept their words.
        if (!(typed && typed.value.trim() && changed)) {
          location.reload();
          return;
        }
        var msg = 'The conversation changed (now: ' + d.status + '). Reload to continue.';
        if (changed.getAttribute('data-now') !== d.status) {
          var reload = el('button', null, 'Reload');
          reload.type = 'button';
          reload.addEventListener('click', function () { location.reload(); });
          var p = el('p', null, msg + ' ');
          p.append(reload);
          changed.className = 'error';
          changed.setAttribute('data-now', d.status);
          changed.replaceChildren(p);
        }
      } else if (changed && changed.hasAttribute('data-now')) {
        // Back as the page shows it: the form works again.
        changed.removeAttribute('data-now');
        changed.className = '';
        changed.replaceChildren();
      }
      d.turns.forEach(function (t) {
        after = Math.max(after, t.seq);
        if (t.kind === 'system') { box.append(el('li', 'system', t.said)); return; }
        if (t.kind === 'staff') {
          var s = el('li', 'from-staff');
          s.append(el('div', 'meta', (t.staff || '') + ' (staff)'), el('div', 'bubble', t.said));
          box.append(s);
          return;
        }
        var li = el('li', 'from-shopper');
        li.append(el('div', 'bubble', t.said),
          el('div', 'meta', new Date(t.at).toLocaleString() + (t.intent ? ' · ' + t.intent + ' (' + (t.confidence || 0).toFixed(2) + ')' : '') + (t.language ? ' · ' + t.language : '') + ' · ' + (t.server_us / 1000).toFixed(2) + ' ms'));
        box.append(li);
        if (t.reply || t.products.length) {
          box.append(el('li', 'from-bot', null));
          box.lastChild.append(el('div', 'bubble', t.reply + (t.products.length ? '\n— ' + t.products.join(', ') : '')));
        }
      });
      if (d.turns.length) box.lastChild.scrollIntoView({ block: 'nearest' });
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    localTimes();
    preview();
    liveList();
    liveTranscript();
    document.querySelectorAll('[data-copy]').forEach(function (b) {
      b.addEventListener('click', function () {
        var src = document.getElementById(b.getAttribute('data-copy'));
        if (!src) return;
        src.select();
        var done = function () { b.textContent = 'Copied'; setTimeout(function () { b.textContent = 'Copy'; }, 1500); };
        if (navigator.clipboard) navigator.clipboard.writeText(src.value).then(done, function () { document.execCommand('copy'); done(); });
        else { document.execCommand('copy'); done(); }
      });
    });
  });
})();
