/** The API Market's scopes, with what the consent page tells the customer about each. */
export const SCOPES = [
  'public',
  'accounts',
  'loans',
  'transfers',
  'cards',
  'payments',
  'donations',
  'account_activities',
  'digital_payments',
  'intrabank_money_transfers',
  'offline_access',
] as const;

export type Scope = (typeof SCOPES)[number];

const known = new Set<string>(SCOPES);

export function isScope(value: string): value is Scope {
  return known.has(value);
}

/** offline_access only means something with a customer present (it asks for a refresh token). */
export const CLIENT_CREDENTIALS_SCOPES: readonly Scope[] = SCOPES.filter((s) => s !== 'offline_access');

/** Splits a space-separated scope string (any run of spaces), dropping empties and duplicates, keeping order. */
export function splitScopes(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/\s+/).filter(Boolean))];
}

export const SCOPE_DESCRIPTIONS: Record<'tr' | 'en', Record<Scope, string>> = {
  tr: {
    public: 'Genel bilgiler (döviz kurları, şubeler)',
    accounts: 'Hesaplarınızı ve bakiyelerinizi görüntüleme',
    loans: 'Kredi bilgilerinizi görüntüleme',
    transfers: 'Hesaplarınızdan para transferi yapma',
    cards: 'Kart bilgilerinizi görüntüleme',
    payments: 'Ödeme işlemleri yapma',
    donations: 'Bağış işlemleri yapma',
    account_activities: 'Hesap hareketlerinizi görüntüleme',
    digital_payments: 'Dijital ödeme işlemleri',
    intrabank_money_transfers: 'Banka içi para transferi yapma',
    offline_access: 'Siz çevrim dışıyken erişime devam etme (yenileme anahtarı)',
  },
  en: {
    public: 'Public information (exchange rates, branches)',
    accounts: 'View your accounts and balances',
    loans: 'View your loans',
    transfers: 'Transfer money from your accounts',
    cards: 'View your cards',
    payments: 'Make payments',
    donations: 'Make donations',
    account_activities: 'View your account activity',
    digital_payments: 'Digital payments',
    intrabank_money_transfers: 'Transfer money within the bank',
    offline_access: 'Keep access while you are away (refresh token)',
  },
};
