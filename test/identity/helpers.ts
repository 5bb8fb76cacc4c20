import { generateKeyPairSync } from 'node:crypto';
import type { System } from '../../src/app.js';
import type { NewApplication } from '../../src/identity/applications.js';
import type { IdentityPart } from '../../src/identity/part.js';

export function identityOf(system: System): IdentityPart {
  const part = system.parts.find((p) => p.name === 'identity');
  if (!part) throw new Error('no identity part');
  return part as IdentityPart;
}

export function rsaPublicKeyPem(bits = 2048, type: 'spki' | 'pkcs1' = 'spki'): string {
  return generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type, format: 'pem' }).toString();
}

export async function registerApp(system: System, overrides: Partial<NewApplication> = {}): Promise<{ clientId: string; clientSecret: string }> {
  const created = await identityOf(system).applications.create({
    name: 'test app',
    publicKey: rsaPublicKeyPem(),
    scopes: 'public accounts transfers offline_access',
    ...overrides,
  });
  return { clientId: created.application.clientId, clientSecret: created.clientSecret };
}

export function form(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.set(k, v);
  return params.toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A browser's cookie jar, path-aware, enough to carry oidc-provider's session and interaction cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const [pair, ...attrs] = header.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      const path = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attrs.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim())) || value === '';
      if (expired) this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { name, value, path });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

/** The page's form: its action and every named input (hidden ones included), as a browser would submit it. */
export function parseForm(html: string): { action: string; fields: Record<string, string> } {
  const formTag = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!formTag?.[1]) throw new Error(`no form in page: ${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const input of (formTag[2] ?? '').matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(input[1] ?? '')?.[1];
    const value = /value="([^"]*)"/.exec(input[1] ?? '')?.[1] ?? '';
    if (name) fields[name] = value.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
  }
  return { action: formTag[1], fields };
}

/** A browser over a real socket: follows nothing by itself, keeps cookies. */
export class Browser {
  readonly jar = new CookieJar();
  constructor(readonly base: string) {}

  async request(url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; location: string | null; html: string; headers: Headers }> {
    const absolute = new URL(url, this.base).toString();
    const headers: Record<string, string> = { cookie: this.jar.header(absolute) };
    if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(absolute, { method: init.method ?? 'GET', body: init.body, headers, redirect: 'manual' });
    this.jar.store(res.headers.getSetCookie());
    return { status: res.status, location: res.headers.get('location'), html: await res.text(), headers: res.headers };
  }

  /** Follows redirects within this server until a page, or a redirect elsewhere (the client's redirect_uri). */
  async follow(url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; location: string | null; html: string; url: string; headers: Headers }> {
    let current = new URL(url, this.base).toString();
    let res = await this.request(current, init);
    for (let hops = 0; res.location && hops < 10; hops++) {
      const next = new URL(res.location, current);
      if (next.origin !== new URL(this.base).origin) break;
      current = next.toString();
      res = await this.request(current);
    }
    return { ...res, url: current };
  }

  async submit(html: string, extra: Record<string, string> = {}, actionSuffix?: string) {
    const { action, fields } = parseForm(html);
    const target = actionSuffix ? action.replace(/\/[a-z]+$/, `/${actionSuffix}`) : action;
    return this.follow(target, { method: 'POST', body: form({ ...fields, ...extra }) });
  }
}
