/** Where Kuveyt Türk's identity server and gateway live; imzala serves both from one origin (pass `baseUrls`). */
export interface KuveytTurkBaseUrls {
  identity: string;
  gateway: string;
}

export type KuveytTurkEnvironment = 'sandbox' | 'test' | 'production';

const PREP: KuveytTurkBaseUrls = {
  identity: 'https://prep-identity.kuveytturk.com.tr',
  gateway: 'https://prep-gateway.kuveytturk.com.tr',
};

export const KUVEYTTURK_ENVIRONMENTS: Readonly<Record<KuveytTurkEnvironment, KuveytTurkBaseUrls>> = {
  sandbox: PREP,
  test: PREP,
  production: { identity: 'https://identity.kuveytturk.com.tr', gateway: 'https://gateway.kuveytturk.com.tr' },
};

export function resolveBaseUrls(
  environment: KuveytTurkEnvironment | undefined,
  baseUrls: KuveytTurkBaseUrls | string | undefined,
): KuveytTurkBaseUrls {
  if (baseUrls !== undefined && environment !== undefined) throw new TypeError('pass either environment or baseUrls, not both');
  const urls =
    typeof baseUrls === 'string' ? { identity: baseUrls, gateway: baseUrls } : (baseUrls ?? KUVEYTTURK_ENVIRONMENTS[environment ?? 'sandbox']);
  if (!urls) throw new TypeError(`unknown environment "${String(environment)}" (sandbox, test, production)`);
  const trim = (u: string): string => new URL(u).toString().replace(/\/+$/, '');
  return { identity: trim(urls.identity), gateway: trim(urls.gateway) };
}
