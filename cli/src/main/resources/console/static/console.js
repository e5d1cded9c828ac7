// The console's only script: live parts swapped in from Server-Sent Events, streams followed into a panel, and the
// mutations sent with the page's CSRF value. The session is an HttpOnly cookie, so EventSource needs no header.
(() => {
  'use strict';
  const csrf = document.querySelector('meta[name="slipway-csrf"]')?.content;
  const liveState = document.getElementById('live-state');
  const STATUS = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 503: 'Unavailable'};

  function setLive(state) {
    if (liveState) {
      liveState.textContent = state;
      liveState.className = 'live-' + state;
    }
  }

  document.querySelectorAll('[data-live]').forEach((el) => {
    const source = new EventSource(el.dataset.live);
    source.onopen = () => setLive('live');
    source.onmessage = (e) => {
      el.innerHTML = e.data;
      el.dataset.updates = String(Number(el.dataset.updates || 0) + 1);
    };
    source.onerror = () => setLive('reconnecting');
  });

  const text = (v) => (v === null || v === undefined ? '' : String(v));
  const RENDER = {
    text: (data) => data,
    progress: (data) => {
      const p = JSON.parse(data);
      return [text(p.at), p.host || 'cluster', text(p.step), text(p.state), text(p.detail)].join('  ').trim();
    },
    pool: (data) => {
      const p = JSON.parse(data);
      const c = p.counts || {};
      return `${text(p.state)}  ready ${c.ready}  running ${c.running}  creating ${c.creating}  failed ${c.failed}` +
        (p.failureReason ? '  ' + p.failureReason : '');
    },
    workload: (data) => {
      const w = JSON.parse(data);
      return `${text(w.phase)}  ready ${w.ready}/${w.desired}  updated ${w.updated}  revision ${text(w.updateRevision)}` +
        (w.settled ? '  settled' : '') + (w.message ? '  ' + w.message : '');
    },
  };

  let following = null;
  function follow(url, label, render) {
    if (following) {
      following.close();
    }
    const out = document.getElementById('follow-log');
    const state = document.getElementById('follow-state');
    document.getElementById('follow-title').textContent = label;
    out.textContent = '';
    state.textContent = 'following';
    const source = new EventSource(url);
    following = source;
    source.onmessage = (e) => {
      out.append(render(e.data) + '\n');
      out.scrollTop = out.scrollHeight;
    };
    source.addEventListener('refused', (e) => {
      state.textContent = 'refused: ' + e.data;
      source.close();
    });
    // a stream that ended is not opened again: the browser would replay it from the start
    source.addEventListener('end', () => {
      state.textContent = 'ended';
      source.close();
    });
    source.onerror = () => {
      state.textContent = 'ended';
      source.close();
    };
  }

  document.addEventListener('click', (e) => {
    const link = e.target.closest('a[data-stream]');
    if (link) {
      e.preventDefault();
      follow(link.dataset.stream, link.dataset.label || link.textContent, RENDER[link.dataset.render || 'text']);
      return;
    }
    const button = e.target.closest('button[data-action]');
    if (button) {
      act(button.dataset.action, button.dataset.target);
    }
  });

  document.querySelectorAll('form[data-follow]').forEach((form) => {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const url = form.dataset.follow.replace(/:([a-z]+)/g, (m, name) => encodeURIComponent(text(data.get(name)).trim()));
      follow(url, form.querySelector('h2').textContent + ' ' + text(data.get('name')), RENDER[form.dataset.render]);
    });
  });

  const kubeEvents = document.querySelector('[data-autostream]');
  if (kubeEvents) {
    const body = kubeEvents.querySelector('tbody');
    const state = document.getElementById('follow-state');
    const source = new EventSource(kubeEvents.dataset.autostream);
    source.onopen = () => { state.textContent = 'following'; };
    source.onmessage = (e) => {
      const k = JSON.parse(e.data);
      const row = document.createElement('tr');
      row.className = 'kube-' + text(k.type);
      const o = k.involvedObject || {};
      [k.lastTimestamp, k.cluster, k.type, k.reason, `${text(o.kind)} ${text(o.namespace)}/${text(o.name)}`, k.message]
        .forEach((v) => row.insertCell().textContent = text(v));
      body.append(row);
      while (body.rows.length > 200) {
        body.deleteRow(0);
      }
    };
    source.addEventListener('refused', (e) => {
      state.textContent = 'refused: ' + e.data;
      source.close();
    });
  }

  function notice(ok, message) {
    const n = document.getElementById('notice');
    n.textContent = message;
    n.className = ok ? 'ok' : 'refused';
    n.hidden = false;
  }

  async function act(action, target) {
    try {
      const response = await fetch('/console/action/' + action, {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-Slipway-CSRF': csrf},
        body: JSON.stringify({target}),
      });
      const r = await response.json();
      if (r.ok) {
        notice(true, r.message);
      } else if (r.status === undefined) {
        notice(false, 'Refused by the console (' + response.status + '): ' + r.error);
      } else {
        notice(false, `Refused by the API: ${r.status} ${STATUS[r.status] || ''} — ${r.message}` +
          (r.status === 403 ? ` (signed in as ${document.getElementById('role').textContent})` : ''));
      }
    } catch (err) {
      notice(false, 'The gateway did not answer: ' + err);
    }
  }
})();
