import { XadesError } from './errors.js';
import { NS, children, descend } from './xml.js';

/** A path the vendor calls entityLabel: S0, S1, … top level; `:Sm` the m-th counter-signature below. */
const PATH = /^S\d+(:S\d+)*$/;

/** Top-level signatures: ds:Signature elements, document order, not inside another signature. */
export function topLevelSignatures(doc: Document): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      const el = c as Element;
      if (el.namespaceURI === NS.ds && el.localName === 'Signature') out.push(el);
      else walk(el);
    }
  };
  walk(doc);
  return out;
}

/** The ds:Signature elements inside xades:CounterSignature of a signature's unsigned properties. */
export function counterSignatures(signature: Element): Element[] {
  const out: Element[] = [];
  for (const object of children(signature, NS.ds, 'Object')) {
    const usp = descend(object, [NS.xades, 'QualifyingProperties'], [NS.xades, 'UnsignedProperties'], [NS.xades, 'UnsignedSignatureProperties']);
    if (!usp) continue;
    for (const cs of children(usp, NS.xades, 'CounterSignature')) out.push(...children(cs, NS.ds, 'Signature'));
  }
  return out;
}

export function resolvePath(doc: Document, path: string): Element {
  if (!PATH.test(path)) throw new XadesError('ERR_XADES_PATH', `signaturePath "${path}" is malformed (expected S0, S0:S1, …)`);
  const steps = path.split(':').map((s) => Number(s.slice(1)));
  let candidates = topLevelSignatures(doc);
  let current: Element | undefined;
  let walked = '';
  for (const index of steps) {
    walked = walked ? `${walked}:S${index}` : `S${index}`;
    current = candidates[index];
    if (!current) throw new XadesError('ERR_XADES_PATH', `signaturePath "${path}": there is no signature ${walked} in the document`);
    candidates = counterSignatures(current);
  }
  return current as Element;
}

/** Every signature with its path, depth first (S0, S0:S0, S0:S0:S0, S0:S1, S1, …). */
export function allSignatures(doc: Document): { path: string; element: Element }[] {
  const out: { path: string; element: Element }[] = [];
  const visit = (els: Element[], prefix: string): void => {
    els.forEach((el, i) => {
      const path = `${prefix}S${i}`;
      out.push({ path, element: el });
      visit(counterSignatures(el), `${path}:`);
    });
  };
  visit(topLevelSignatures(doc), '');
  return out;
}
