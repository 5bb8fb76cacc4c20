import type * as pkijs from 'pkijs';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.5': 'SERIALNUMBER', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.12': 'T', '2.5.4.42': 'GN', '2.5.4.4': 'SN', '1.2.840.113549.1.9.1': 'E',
};

/** RFC 4514 string of a Name, most specific RDN first (as X509IssuerName and ResponderID/ByName want it). */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => {
      const value = String((tv.value.valueBlock as { value?: unknown }).value ?? '').replace(/([,+"\\<>;=])/g, '\\$1');
      return `${SHORT[tv.type] ?? tv.type}=${value}`;
    })
    .reverse()
    .join(', ');
}
