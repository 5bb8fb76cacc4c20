import { t } from './i18n.js';
import { importSigningKey, toBase64, toHex } from './pem.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What goes on the wire and what is signed. The query is taken as the browser will send it (the URL parser's
 * percent-encoding, parameter order untouched), never re-sorted or decoded; the body is the text verbatim.
 */
export function requestPlan(method, urlText, token, body) {
  const url = new URL(urlText.trim(), location.origin);
  url.hash = '';
  const typed = urlText.split('#')[0];
  const hasQuery = typed.includes('?');
  const query = hasQuery ? url.search.replace(/^\?/, '') : null;
  const carriesBody = BODY_METHODS.has(method);
  const payload = carriesBody ? body : query === null ? '' : `?${query}`;
  const typedQuery = hasQuery ? typed.slice(typed.indexOf('?') + 1) : null;
  return { url: url.href, carriesBody, payload, signedText: token + payload, reencoded: query !== typedQuery ? query : null };
}

export async function sign(pem, text) {
  const bytes = new TextEncoder().encode(text);
  const key = await importSigningKey(pem);
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, bytes);
  return { bytes, signature: toBase64(signature) };
}

export function initSignatureTool() {
  const $ = (id) => document.getElementById(id);
  const status = $('sig-status');
  let last = null;

  // The identity server's token endpoint, form-encoded as RFC 6749 wants; the secret goes nowhere else.
  $('tok-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = $('tok-status');
    const res = await fetch('/connect/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: $('tok-client').value.trim(), client_secret: $('tok-secret').value.trim(), scope: $('tok-scope').value.trim() }),
      credentials: 'omit',
    });
    const data = await res.json().catch(() => ({}));
    if (res.ok && data.access_token) {
      $('sig-token').value = data.access_token;
      out.className = 'status';
      out.textContent = `${t('sig.gotToken')} ${data.expires_in} (${data.scope})`;
    } else {
      out.className = 'status error';
      out.textContent = `${t('error')}: HTTP ${res.status} ${data.error ?? ''} ${data.error_description ?? ''}`;
    }
  });

  $('sig-keyfile').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (file) $('sig-key').value = await file.text();
  });

  async function compute() {
    status.className = 'status';
    status.textContent = '';
    try {
      const method = $('sig-method').value;
      const plan = requestPlan(method, $('sig-url').value, $('sig-token').value.trim(), $('sig-body').value);
      const { bytes, signature } = await sign($('sig-key').value, plan.signedText);
      $('sig-value').textContent = signature;
      $('sig-bytes').textContent = plan.signedText;
      $('sig-hex').textContent = toHex(bytes);
      const notes = [];
      if (plan.reencoded !== null) notes.push(`${t('sig.reencoded')} ?${plan.reencoded}`);
      if (!plan.carriesBody && $('sig-body').value) notes.push(t('sig.bodyIgnored'));
      $('sig-note').textContent = notes.join(' ');
      $('sig-out').hidden = false;
      status.textContent = t('sig.done');
      last = { ...plan, method, signature };
      return last;
    } catch (err) {
      status.className = 'status error';
      status.textContent = `${t('error')}: ${err.message || err.name}`;
      $('sig-out').hidden = true;
      return null;
    }
  }

  $('sig-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void compute();
  });

  $('sig-send').addEventListener('click', async () => {
    const plan = await compute();
    if (!plan) return;
    const headers = { Authorization: `Bearer ${$('sig-token').value.trim()}`, Signature: plan.signature };
    if (plan.carriesBody) headers['Content-Type'] = 'application/json';
    const box = $('sig-response');
    try {
      const res = await fetch(plan.url, { method: plan.method, headers, body: plan.carriesBody ? plan.payload : undefined, credentials: 'omit' });
      const text = await res.text();
      $('sig-resp-status').textContent = `${res.status} ${res.statusText}`;
      $('sig-resp-status').className = res.ok ? 'ok' : 'error';
      const hint = res.headers.get('signature-hint');
      $('sig-resp-hint').hidden = !hint;
      $('sig-resp-hint').textContent = hint ? `Signature-Hint: ${hint}` : '';
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: show as is */ }
      $('sig-resp-body').textContent = shown;
    } catch (err) {
      $('sig-resp-status').textContent = `${t('error')}: ${err.message}`;
      $('sig-resp-status').className = 'error';
    }
    box.hidden = false;
  });
  return () => last;
}
