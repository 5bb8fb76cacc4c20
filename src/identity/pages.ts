import { SCOPE_DESCRIPTIONS, isScope } from './scopes.js';

/** Server-rendered pages of the customer's login: no scripts, no external resources, one inline style by nonce. */
export type Lang = 'tr' | 'en';

export function langOf(uiLocales: string | undefined, override?: string): Lang {
  const pick = override ?? uiLocales ?? '';
  const first = pick.trim().split(/\s+/)[0] ?? '';
  return first.toLowerCase().startsWith('en') ? 'en' : 'tr';
}

const TEXT = {
  tr: {
    bank: 'Kuveyt Türk (sandbox)',
    loginTitle: 'Giriş yapın',
    loginIntro: (app: string) => `${app} uygulaması hesabınıza erişmek istiyor. Devam etmek için giriş yapın.`,
    customerNo: 'Müşteri numarası',
    password: 'Şifre',
    continue: 'Devam',
    cancel: 'Vazgeç',
    badPassword: 'Müşteri numarası veya şifre hatalı.',
    otpTitle: 'Tek kullanımlık şifre',
    otpIntro: (phone: string) => `${phone} numaralı telefonunuza gönderilen 6 haneli kodu girin.`,
    otpLabel: '6 haneli kod',
    otpHint: 'Kod 3 dakika geçerlidir.',
    smsTitle: 'Sandbox SMS',
    smsNote: 'Bu bir test ortamıdır: SMS gönderilmez, kod burada gösterilir.',
    smsBody: (code: string) => `Kuveyt Türk doğrulama kodunuz: ${code}`,
    resend: 'Yeni kod gönder',
    badOtp: (left: number) => `Kod hatalı. Kalan deneme hakkı: ${left}.`,
    otpUsedUp: 'Bu kod için deneme hakkınız bitti ya da kodun süresi doldu. Yeni kod isteyin.',
    consentTitle: 'İzin verin',
    consentIntro: (app: string) => `${app} uygulaması aşağıdaki izinleri istiyor:`,
    approve: 'İzin ver',
    refuse: 'Reddet',
    errorTitle: 'İşlem tamamlanamadı',
    expired: 'Oturumunuzun süresi doldu veya bağlantı geçersiz. Uygulamaya dönüp yeniden deneyin.',
    other: 'English',
  },
  en: {
    bank: 'Kuveyt Türk (sandbox)',
    loginTitle: 'Sign in',
    loginIntro: (app: string) => `${app} wants to access your accounts. Sign in to continue.`,
    customerNo: 'Customer number',
    password: 'Password',
    continue: 'Continue',
    cancel: 'Cancel',
    badPassword: 'Wrong customer number or password.',
    otpTitle: 'One-time code',
    otpIntro: (phone: string) => `Enter the 6-digit code sent to your phone ${phone}.`,
    otpLabel: '6-digit code',
    otpHint: 'The code is valid for 3 minutes.',
    smsTitle: 'Sandbox SMS',
    smsNote: 'This is a test environment: no SMS is sent, the code is shown here.',
    smsBody: (code: string) => `Your Kuveyt Türk verification code: ${code}`,
    resend: 'Send a new code',
    badOtp: (left: number) => `Wrong code. Attempts left: ${left}.`,
    otpUsedUp: 'No attempts left for this code, or it has expired. Ask for a new code.',
    consentTitle: 'Grant access',
    consentIntro: (app: string) => `${app} asks for the following permissions:`,
    approve: 'Allow',
    refuse: 'Refuse',
    errorTitle: 'This could not be completed',
    expired: 'Your session has expired or the link is not valid. Go back to the application and try again.',
    other: 'Türkçe',
  },
} as const;

export function text(lang: Lang): (typeof TEXT)[Lang] {
  return TEXT[lang];
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f4;color:#1b1f1d}
header{background:#00613a;color:#fff;padding:.75rem 1rem;display:flex;justify-content:space-between;align-items:center;flex-wrap:wrap;gap:.5rem}
header a{color:#fff}main{max-width:28rem;margin:1.5rem auto;padding:1.25rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 .75rem}label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem;font-size:1rem;border:1px solid #6b7570;border-radius:4px}
input:focus,button:focus{outline:3px solid #f2a900;outline-offset:2px}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;margin-top:1rem}button{font-size:1rem;padding:.6rem 1.1rem;border-radius:4px;border:1px solid #00613a;cursor:pointer}
button.primary{background:#00613a;color:#fff}button.secondary{background:#fff;color:#00613a}
.error{background:#fdecea;border:1px solid #b3261e;color:#7a1a14;padding:.6rem;border-radius:4px}
.sms{border:2px dashed #f2a900;background:#fff8e1;padding:.75rem;border-radius:6px;margin:1rem 0}.sms strong{display:block}
.code{font-size:1.5rem;letter-spacing:.2em;font-family:ui-monospace,monospace}.hint{color:#4a524e;font-size:.9rem}
ul.scopes{padding-left:1.2rem}ul.scopes code{background:#eef2f0;padding:0 .25rem}`;

export function layout(lang: Lang, title: string, body: string, nonce: string, switchHref?: string): string {
  const t = text(lang);
  const toggle = switchHref ? `<a href="${escapeHtml(switchHref)}" lang="${lang === 'tr' ? 'en' : 'tr'}">${t.other}</a>` : '';
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${t.bank}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><span>${t.bank}</span>${toggle}</header>
<main id="main">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
}

function errorBox(message: string | undefined, id: string): string {
  return message ? `<p class="error" id="${id}" role="alert">${escapeHtml(message)}</p>` : '';
}

export interface FormContext {
  lang: Lang;
  action: string;
  csrf: string;
  nonce: string;
  appName: string;
  switchHref?: string;
}

export function loginPage(c: FormContext & { customerNo?: string; error?: string }): string {
  const t = text(c.lang);
  const described = c.error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  const body = `<p>${escapeHtml(t.loginIntro(c.appName))}</p>
${errorBox(c.error, 'login-error')}
<form method="post" action="${escapeHtml(c.action)}/login">
${hidden({ csrf: c.csrf, lang: c.lang })}
<label for="customerNo">${t.customerNo}</label>
<input type="text" id="customerNo" name="customerNo" inputmode="numeric" autocomplete="username" required maxlength="32" value="${escapeHtml(c.customerNo ?? '')}"${described} autofocus>
<label for="password">${t.password}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="128"${described}>
<div class="actions"><button class="primary" type="submit">${t.continue}</button>
<button class="secondary" type="submit" formaction="${escapeHtml(c.action)}/abort" formnovalidate>${t.cancel}</button></div>
</form>`;
  return layout(c.lang, t.loginTitle, body, c.nonce, c.switchHref);
}

export function otpPage(c: FormContext & { phone: string; smsCode?: string; error?: string }): string {
  const t = text(c.lang);
  const sms = c.smsCode
    ? `<aside class="sms" role="status" aria-labelledby="sms-title"><strong id="sms-title">${t.smsTitle}</strong>
<span class="hint">${t.smsNote}</span><p>${escapeHtml(t.smsBody(''))}<span class="code" data-testid="sandbox-otp">${escapeHtml(c.smsCode)}</span></p></aside>`
    : '';
  const described = c.error ? 'otp-hint otp-error' : 'otp-hint';
  const body = `<p>${escapeHtml(t.otpIntro(c.phone))}</p>
${sms}
${errorBox(c.error, 'otp-error')}
<form method="post" action="${escapeHtml(c.action)}/otp">
${hidden({ csrf: c.csrf, lang: c.lang })}
<label for="code">${t.otpLabel}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" minlength="6" maxlength="6" required aria-describedby="${described}"${c.error ? ' aria-invalid="true"' : ''} autofocus>
<p class="hint" id="otp-hint">${t.otpHint}</p>
<div class="actions"><button class="primary" type="submit">${t.continue}</button>
<button class="secondary" type="submit" formaction="${escapeHtml(c.action)}/resend" formnovalidate>${t.resend}</button>
<button class="secondary" type="submit" formaction="${escapeHtml(c.action)}/abort" formnovalidate>${t.cancel}</button></div>
</form>`;
  return layout(c.lang, t.otpTitle, body, c.nonce, c.switchHref);
}

export function consentPage(c: FormContext & { scopes: readonly string[] }): string {
  const t = text(c.lang);
  const items = c.scopes
    .map((s) => `<li><code>${escapeHtml(s)}</code>: ${escapeHtml(isScope(s) ? SCOPE_DESCRIPTIONS[c.lang][s] : s)}</li>`)
    .join('\n');
  const body = `<p>${escapeHtml(t.consentIntro(c.appName))}</p>
<ul class="scopes">
${items}
</ul>
<form method="post" action="${escapeHtml(c.action)}/consent">
${hidden({ csrf: c.csrf, lang: c.lang })}
<div class="actions"><button class="primary" type="submit" name="decision" value="approve">${t.approve}</button>
<button class="secondary" type="submit" name="decision" value="refuse">${t.refuse}</button></div>
</form>`;
  return layout(c.lang, t.consentTitle, body, c.nonce, c.switchHref);
}

export function errorPage(lang: Lang, nonce: string, message: string, detail?: string): string {
  const t = text(lang);
  const body = `<p class="error" role="alert">${escapeHtml(message)}</p>${detail ? `<p class="hint">${escapeHtml(detail)}</p>` : ''}`;
  return layout(lang, t.errorTitle, body, nonce);
}

/** Headers every page carries: nothing external may load, no framing, nothing cached. */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
