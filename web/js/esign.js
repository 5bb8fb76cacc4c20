import { el } from './api.js';
import { api } from './api.js';
import { lang, t } from './i18n.js';

/** One CoreApi call: JSON in, ApiResult `{result, error}` out; a transport or API error becomes an Error with the HTTP status. */
async function coreApi(key, path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'X-API-KEY': key, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => null);
  const fail = (message) => Object.assign(new Error(message), { status: res.status });
  if (!data) throw fail(`HTTP ${res.status} ${path}`);
  if (data.error) throw fail(`HTTP ${res.status}: ${typeof data.error === 'string' ? data.error : JSON.stringify(data.error)}`);
  return data.result;
}

export function initEsign() {
  const $ = (id) => document.getElementById(id);
  const key = () => $('es-key').value.trim();
  let uploaded = null; // the upload's operationId
  let signed = null; // the signed document's operationId, once SignStepOne answered
  let lastDownload = null;

  const say = (id, text, error = false) => { $(id).className = error ? 'status error' : 'status'; $(id).textContent = text; };

  $('es-newkey').addEventListener('click', async () => {
    try {
      $('es-key').value = (await api('POST', 'esign-key')).apiKey;
    } catch (err) {
      say('es-upload-status', `${t('error')}: ${err.message}`, true);
    }
  });

  function upload(file) {
    if (!key()) return say('es-upload-status', t('es.needKey'), true);
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('displayLanguage', lang());
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v2/CoreApiFile/UploadFile');
    xhr.setRequestHeader('X-API-KEY', key());
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) $('es-progress').value = Math.round((e.loaded / e.total) * 100); });
    xhr.addEventListener('load', () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { /* reported below */ }
      if (xhr.status === 200 && data?.result?.operationId) {
        uploaded = data.result.operationId;
        signed = null;
        $('es-progress').value = 100;
        $('es-op').textContent = uploaded;
        say('es-upload-status', `${t('es.uploaded')}: ${file.name} (${data.result.size} B, SHA-256 ${data.result.sha256})`);
        void refreshState();
      } else {
        say('es-upload-status', `${t('error')}: HTTP ${xhr.status} ${data?.error ? JSON.stringify(data.error) : xhr.responseText.slice(0, 200)}`, true);
      }
    });
    xhr.addEventListener('error', () => say('es-upload-status', `${t('error')}: network`, true));
    $('es-progress').value = 0;
    xhr.send(form);
  }

  const drop = $('es-drop');
  drop.addEventListener('click', () => $('es-file').click());
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('es-file').click(); } });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) upload(file);
  });
  $('es-file').addEventListener('change', (e) => { const f = e.target.files?.[0]; if (f) upload(f); });

  async function refreshState() {
    const id = signed ?? uploaded;
    if (!id || !key()) return;
    try {
      const s = await coreApi(key(), '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: id });
      // An upload stays `uploaded`; what its signing does (waiting while the phone is asked) is signingState.
      const signing = s.signingState ? ` · ${t('es.signing')}: ${s.signingState}` : '';
      say('es-state', `${s.fileName}: ${s.state}${signing}${s.size != null ? ` · ${s.size} B` : ''}${s.sha256 ? ` · SHA-256 ${s.sha256}` : ''}`);
    } catch (err) {
      say('es-state', `${t('error')}: ${err.message}`, true);
    }
  }

  $('es-sign').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!key()) return say('es-sign-status', t('es.needKey'), true);
    if (!uploaded) return say('es-sign-status', t('es.needOp'), true);
    const optional = (v) => (v.trim() === '' ? null : v.trim());
    const body = {
      operationId: uploaded,
      phoneNumber: $('es-phone').value.trim(),
      operator: $('es-operator').value,
      userPrompt: $('es-prompt').value,
      citizenshipNo: optional($('es-tckn').value),
      signatureLevel: $('es-level').value,
      signaturePath: optional($('es-path').value),
      serialOrParallel: $('es-serial').value,
      signatureTurkishProfile: optional($('es-profile').value),
      envelopingOrEnveloped: $('es-env').value,
      requestId: crypto.randomUUID().replace(/-/g, '').slice(0, 21),
      displayLanguage: lang(),
    };
    $('es-fingerprint').textContent = '';
    say('es-sign-status', t('es.waiting'));
    const poll = setInterval(() => void refreshState(), 1500);
    let finished = false;
    // As the vendor's browser sample does: the fingerprint is asked for while SignStepOne waits on the phone;
    // 409 says the signing has not started yet, so it is asked again until SignStepOne has answered.
    const fingerprint = async () => {
      for (;;) {
        try {
          const { fingerPrint } = await coreApi(key(), '/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: body.operationId });
          // In groups of four, as the phone shows it, so the two are easy to compare.
          $('es-fingerprint').textContent = fingerPrint.match(/.{1,4}/g).join(' ');
          return;
        } catch (err) {
          if (err.status !== 409 || finished) throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    fingerprint().catch((err) => { $('es-fingerprint').textContent = ''; say('es-state', `GetFingerPrintCore: ${err.message}`, true); });
    try {
      const result = await coreApi(key(), '/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', body);
      signed = result.operationId;
      say('es-sign-status', `${t('es.signed')} ${signed}`);
    } catch (err) {
      say('es-sign-status', `SignStepOneXadesMobileCore: ${err.message}`, true);
    } finally {
      finished = true;
      clearInterval(poll);
      void refreshState();
    }
  });

  $('es-download').addEventListener('click', async () => {
    const id = signed ?? uploaded;
    if (!key() || !id) return say('es-state', t('es.needOp'), true);
    const res = await fetch('/v2/CoreApiFile/DownloadRawCore', { method: 'POST', headers: { 'X-API-KEY': key(), 'Content-Type': 'application/json' }, body: JSON.stringify({ operationId: id }) });
    if (!res.ok) return say('es-state', `${t('error')}: HTTP ${res.status} ${await res.text()}`, true);
    const blob = await res.blob();
    const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    lastDownload = { blob, name: name ? decodeURIComponent(name) : 'document' };
    const link = $('es-download-link');
    link.href = URL.createObjectURL(blob);
    link.download = lastDownload.name;
    link.click();
    say('es-state', `${t('es.downloaded')}: ${lastDownload.name} (${blob.size} B)`);
  });

  $('es-verify').addEventListener('click', async () => {
    const report = $('es-report');
    report.replaceChildren();
    if (!lastDownload) $('es-download').click();
    const id = signed ?? uploaded;
    if (!key() || !id) return;
    const raw = await fetch('/v2/CoreApiFile/DownloadRawCore', { method: 'POST', headers: { 'X-API-KEY': key(), 'Content-Type': 'application/json' }, body: JSON.stringify({ operationId: id }) });
    const res = await fetch('/xades/verify', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: await raw.arrayBuffer() });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) return report.append(el('p', { class: 'error', text: `${t('error')}: ${data.message ?? res.status}` }));
    const verdict = data.summary === 'NO_SIGNATURE' ? t('es.noSignatures') : data.valid ? t('es.valid') : t('es.invalid');
    // One line per signature: where it is, the verdict, who signed, level/profile, chain and revocation, errors.
    const rows = (data.signatures ?? []).map((sig) =>
      el('li', { class: sig.valid ? 'ok' : 'error', text: [
        sig.path, `${sig.valid ? t('es.valid') : t('es.invalid')} (${sig.indication})`, sig.signer?.subject, sig.level, sig.profile, sig.signingTime,
        sig.chain ? `chain ${sig.chain.status}` : null, sig.revocation ? `revocation ${sig.revocation.status}` : null, ...(sig.errors ?? []),
      ].filter(Boolean).join(' · ') }));
    report.append(
      el('p', { class: data.valid ? 'ok verdict' : 'error verdict', text: `${verdict} (${data.summary}, ${data.signatureCount})` }),
      ...(rows.length ? [el('ul', {}, ...rows)] : []),
      el('details', {}, el('summary', { text: 'JSON' }), el('pre', { class: 'wrap', text: JSON.stringify(data, null, 2) })));
  });
}
