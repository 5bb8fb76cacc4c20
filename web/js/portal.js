import { api, el } from './api.js';
import { lang, t } from './i18n.js';
import { download, generateKeyPair } from './pem.js';

const SCOPES = ['public', 'accounts', 'loans', 'transfers', 'cards', 'payments', 'donations', 'account_activities', 'digital_payments', 'intrabank_money_transfers', 'offline_access'];

function showStatus(node, text, error = false) {
  node.className = error ? 'status error' : 'status';
  node.textContent = text;
}

export function initPortal() {
  const $ = (id) => document.getElementById(id);
  const scopes = $('app-scopes');
  for (const s of SCOPES) {
    scopes.append(el('label', {}, el('input', { type: 'checkbox', name: 'scope', value: s, checked: s === 'public' || s === 'accounts' }), ` ${s}`));
  }
  for (const radio of document.querySelectorAll('input[name="keymode"]')) {
    radio.addEventListener('change', () => { $('app-pubkey').disabled = radio.value === 'generate' && radio.checked; });
  }

  async function showDeveloper(developer) {
    $('auth').hidden = !!developer;
    $('dev').hidden = !developer;
    if (developer) {
      $('dev-email').textContent = developer.email;
      await renderApps();
    }
  }

  $('auth-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const mode = e.submitter?.value === 'signup' ? 'signup' : 'signin';
    try {
      const { developer } = await api('POST', mode, { email: $('auth-email').value, password: $('auth-password').value });
      showStatus($('auth-status'), '');
      await showDeveloper(developer);
    } catch (err) {
      showStatus($('auth-status'), `${t('error')}: ${err.message}`, true);
    }
  });
  $('signout').addEventListener('click', async () => {
    await api('POST', 'signout');
    await showDeveloper(null);
  });

  $('app-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const status = $('app-status');
    const generate = document.querySelector('input[name="keymode"]:checked').value === 'generate';
    try {
      showStatus(status, t('app.creating'));
      let keys = null;
      if (generate) keys = await generateKeyPair();
      const name = $('app-name').value.trim();
      const created = await api('POST', 'apps', {
        name,
        scopes: [...document.querySelectorAll('input[name="scope"]:checked')].map((c) => c.value),
        redirectUris: $('app-redirects').value.split('\n').map((s) => s.trim()).filter(Boolean),
        publicKey: keys ? keys.publicPem : $('app-pubkey').value,
      });
      // Only after the server took the public key: the private key exists nowhere else than this download.
      if (keys) download(`${created.application.clientId}.private-key.pkcs8.pem`, keys.privatePem);
      showSecret(created.application.clientId, created.clientSecret, !!keys);
      showStatus(status, [t('app.created'), ...created.warnings].join(' '));
      await renderApps();
    } catch (err) {
      showStatus(status, `${t('error')}: ${err.message}`, true);
    }
  });

  function showSecret(clientId, secret, downloaded) {
    $('secret-client').textContent = clientId;
    $('secret-value').textContent = secret;
    $('key-download-note').hidden = !downloaded;
    $('secret-box').hidden = false;
    $('secret-box').focus();
  }

  async function renderCalls(clientId, box) {
    const { calls } = await api('GET', `apps/${clientId}/calls`);
    box.replaceChildren();
    if (calls.length === 0) return box.append(el('p', { text: t('app.noCalls') }));
    const rows = calls.map((c) =>
      el('tr', {},
        el('td', { text: new Date(c.at).toLocaleTimeString(lang()) }),
        el('td', {}, el('code', { text: `${c.method} ${c.url}` })),
        el('td', { class: c.status < 400 ? 'ok' : 'error', text: String(c.status) }),
        el('td', { text: c.signatureHint ?? '' })));
    box.append(el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, ...['app.time', 'app.call', 'app.status', 'app.hint'].map((k) => el('th', { scope: 'col', text: t(k) })))),
      el('tbody', {}, ...rows))));
  }

  /** Registers a public key the developer already has (SPKI or PKCS#1 PEM) instead of a generated one. */
  function pasteKeyForm(clientId) {
    const id = `paste-${clientId}`;
    const area = el('textarea', { id, rows: '4', spellcheck: 'false' });
    const status = el('p', { class: 'status', role: 'status' });
    const form = el('form', { class: 'paste-key' },
      el('label', { for: id, text: t('app.pasteKey') }), area,
      el('button', { type: 'submit', class: 'secondary', text: t('app.uploadKey') }), status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const { warnings } = await api('PUT', `apps/${clientId}/key`, { publicKey: area.value });
        showStatus(status, [t('app.keyRegistered'), ...warnings].join(' '));
        area.value = '';
      } catch (err) {
        showStatus(status, `${t('error')}: ${err.message}`, true);
      }
    });
    return el('details', {}, el('summary', { text: t('app.uploadKey') }), form);
  }

  async function renderApps() {
    const { applications } = await api('GET', 'apps');
    const list = $('apps');
    list.replaceChildren();
    if (applications.length === 0) return list.append(el('p', { text: t('app.none') }));
    for (const app of applications) {
      const calls = el('div', { class: 'calls' });
      const card = el('article', { class: 'card app', 'data-client-id': app.clientId },
        el('h3', { text: app.name }),
        el('p', {}, 'client_id: ', el('code', { text: app.clientId })),
        el('p', { text: `${t('app.scopes')}: ${app.scopes.join(' ')}` }),
        el('div', { class: 'row' },
          el('button', { type: 'button', class: 'secondary', text: t('app.rotateSecret'), onclick: async () => {
            const { clientSecret } = await api('POST', `apps/${app.clientId}/secret`);
            showSecret(app.clientId, clientSecret, false);
          } }),
          el('button', { type: 'button', class: 'secondary', text: t('app.rotateKey'), onclick: async () => {
            const keys = await generateKeyPair();
            await api('PUT', `apps/${app.clientId}/key`, { publicKey: keys.publicPem });
            download(`${app.clientId}.private-key.pkcs8.pem`, keys.privatePem);
          } }),
          el('button', { type: 'button', class: 'secondary refresh-calls', text: `${t('app.refresh')}: ${t('app.calls')}`, onclick: () => renderCalls(app.clientId, calls) })),
        pasteKeyForm(app.clientId),
        el('h4', { text: t('app.calls') }),
        calls);
      list.append(card);
      await renderCalls(app.clientId, calls);
    }
  }

  return async () => {
    try {
      const { developer } = await api('GET', 'me');
      await showDeveloper(developer);
    } catch {
      await showDeveloper(null);
    }
  };
}
