import { OPERATOR_INFO, type OperatorName } from './operators.js';
import type { PhoneView } from './phone-view.js';
import { esc } from './xml.js';

export type Lang = 'tr' | 'en';

const TEXT = {
  tr: {
    title: 'Mobil İmza',
    waiting: 'Bekleyen imza isteği yok.',
    request: 'İmza isteği',
    fingerprint: 'Parmak izi',
    compare: 'Uygulamada gördüğünüz parmak izi ile karşılaştırın.',
    pin: 'Mobil imza PIN',
    approve: 'Onayla',
    reject: 'Reddet',
    clear: 'Sil',
    blocked: 'PIN bloke. Operatörünüze başvurun.',
    attempts: 'kalan deneme',
    signed: 'İmzalandı.',
    refused: 'Reddedildi.',
    expires: 'Süre',
    policy: 'Otomatik davranış',
    other: 'English',
  },
  en: {
    title: 'Mobile Signature',
    waiting: 'No signature request waiting.',
    request: 'Signature request',
    fingerprint: 'Fingerprint',
    compare: 'Compare it with the fingerprint the application shows.',
    pin: 'Mobile signature PIN',
    approve: 'Approve',
    reject: 'Refuse',
    clear: 'Clear',
    blocked: 'PIN blocked. Contact your operator.',
    attempts: 'attempts left',
    signed: 'Signed.',
    refused: 'Refused.',
    expires: 'Time left',
    policy: 'Automatic policy',
    other: 'Türkçe',
  },
} as const;

/**
 * The virtual phone: a SIM-toolkit style screen, server-rendered with the first state, then kept fresh by
 * polling /phone/<number>/pending. Self-contained (inline style and script under a nonce), phone width.
 */
export function renderPhonePage(view: PhoneView, lang: Lang, nonce: string): string {
  const t = TEXT[lang];
  const info = OPERATOR_INFO[view.operator as OperatorName];
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '', '0', 'C'];
  const pad = keys
    .map((k) =>
      k === ''
        ? '<span></span>'
        : k === 'C'
          ? `<button type="button" class="key" data-key="C" aria-label="${esc(t.clear)}">⌫</button>`
          : `<button type="button" class="key" data-key="${k}">${k}</button>`,
    )
    .join('');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.brand)} · ${esc(t.title)} · ${esc(view.phone)}</title>
<style nonce="${nonce}">
:root{--brand:${info.color}}
*{box-sizing:border-box}body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#222;color:#111;display:flex;justify-content:center}
.phone{width:100%;max-width:380px;min-height:100vh;background:#f4f4f4;display:flex;flex-direction:column}
header{background:var(--brand);color:#000;padding:.6rem 1rem;display:flex;justify-content:space-between;align-items:center;font-weight:600}
header a{color:inherit;font-size:.85rem}
.screen{margin:1rem;background:#c8d8c0;border:3px solid #555;border-radius:6px;padding:1rem;font-family:ui-monospace,monospace;min-height:12rem}
.screen h1{font-size:1rem;margin:0 0 .5rem}
.prompt{white-space:pre-wrap;word-break:break-word;margin:.25rem 0 .75rem}
.fp{font-weight:700;letter-spacing:.05em;word-spacing:.25em;word-break:break-word}
.muted{color:#444;font-size:.85rem}
form{margin:0 1rem 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{width:100%;font-size:1.5rem;letter-spacing:.4em;text-align:center;padding:.4rem;border:2px solid #555;border-radius:4px}
.pad{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem;margin:.75rem 0}
.key{font-size:1.3rem;padding:.6rem;border-radius:8px;border:1px solid #999;background:#fff}
.actions{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}
.actions button{font-size:1.1rem;padding:.7rem;border-radius:8px;border:0;font-weight:700}
.ok{background:#1b7a2e;color:#fff}.no{background:#b3261e;color:#fff}
button:focus-visible,input:focus-visible{outline:3px solid #000;outline-offset:2px}
button:disabled{opacity:.4}
#msg{min-height:1.5rem;margin:.5rem 1rem;font-weight:600}
footer{margin-top:auto;padding:.5rem 1rem;font-size:.8rem;color:#555}
</style></head>
<body><main class="phone">
<header><span>${esc(info.brand)} · ${esc(t.title)}</span><a href="?lang=${lang === 'tr' ? 'en' : 'tr'}">${esc(t.other)}</a></header>
<section class="screen" aria-live="polite" id="screen">${screenHtml(view, lang)}</section>
<form id="form" autocomplete="off">
<label for="pin">${esc(t.pin)}</label>
<input id="pin" name="pin" type="password" inputmode="numeric" pattern="[0-9]*" maxlength="8" autocomplete="off" required>
<div class="pad" role="group" aria-label="${esc(t.pin)}">${pad}</div>
<div class="actions"><button type="submit" class="ok" id="approve">${esc(t.approve)}</button><button type="button" class="no" id="reject">${esc(t.reject)}</button></div>
</form>
<p id="msg" role="status"></p>
<footer>${esc(view.name)} · ${esc(view.phone)} · ${esc(t.policy)}: ${esc(view.policyText)}</footer>
</main>
<script nonce="${nonce}">
(() => {
  const T = ${JSON.stringify(t).replace(/</g, '\\u003c')};
  const base = location.pathname.replace(/\\/+$/, '');
  const pin = document.getElementById('pin'), msg = document.getElementById('msg'), screen = document.getElementById('screen');
  let current = ${JSON.stringify(view.pending[0]?.transactionId ?? null)};
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  function render(v) {
    const p = v.pending[0];
    current = p ? p.transactionId : null;
    if (v.blocked) screen.innerHTML = '<h1>' + esc(T.title) + '</h1><p>' + esc(T.blocked) + '</p>';
    else if (!p) screen.innerHTML = '<h1>' + esc(T.title) + '</h1><p>' + esc(T.waiting) + '</p>';
    else screen.innerHTML = '<h1>' + esc(T.request) + '</h1><p class="prompt">' + esc(p.userPrompt) + '</p><p class="muted">' + esc(T.fingerprint) + '</p><p class="fp">' + esc(p.fingerprintGrouped) + '</p><p class="muted">' + esc(T.compare) + ' ' + esc(T.expires) + ': <span data-exp="' + esc(p.expiresAt) + '"></span> · ' + v.attemptsLeft + ' ' + esc(T.attempts) + '</p>';
    for (const b of document.querySelectorAll('#form button')) b.disabled = !p || v.blocked;
    tick();
  }
  function tick() {
    const e = screen.querySelector('[data-exp]');
    if (e) e.textContent = Math.max(0, Math.round((Date.parse(e.dataset.exp) - Date.now()) / 1000)) + ' s';
  }
  async function refresh() {
    try { const r = await fetch(base + '/pending', { cache: 'no-store' }); if (r.ok) render(await r.json()); } catch {}
  }
  async function act(what, body) {
    if (!current) return;
    const r = await fetch(base + '/' + what, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, transactionId: current }) });
    const j = await r.json().catch(() => ({}));
    msg.textContent = r.ok ? (what === 'approve' ? T.signed : T.refused) : (j.message || r.status);
    pin.value = '';
    await refresh();
  }
  document.querySelector('.pad').addEventListener('click', (e) => {
    const k = e.target.closest('[data-key]'); if (!k) return;
    pin.value = k.dataset.key === 'C' ? pin.value.slice(0, -1) : (pin.value + k.dataset.key).slice(0, 8);
    pin.focus();
  });
  document.getElementById('form').addEventListener('submit', (e) => { e.preventDefault(); act('approve', { pin: pin.value }); });
  document.getElementById('reject').addEventListener('click', () => act('reject', {}));
  render(${JSON.stringify(view).replace(/</g, '\\u003c')});
  setInterval(refresh, 1500); setInterval(tick, 1000);
})();
</script></body></html>`;
}

function screenHtml(view: PhoneView, lang: Lang): string {
  const t = TEXT[lang];
  const p = view.pending[0];
  if (view.blocked) return `<h1>${esc(t.title)}</h1><p>${esc(t.blocked)}</p>`;
  if (!p) return `<h1>${esc(t.title)}</h1><p>${esc(t.waiting)}</p>`;
  return `<h1>${esc(t.request)}</h1><p class="prompt">${esc(p.userPrompt)}</p><p class="muted">${esc(t.fingerprint)}</p><p class="fp">${esc(p.fingerprintGrouped)}</p>`;
}

export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'tr') return query;
  return /^\s*en/i.test(acceptLanguage ?? '') ? 'en' : 'tr';
}
