import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { nativeAddon, sha256Meanwhile, type NativeAddon, type PendingDigest } from './native.js';

// The enveloped reference's digest (URI="" with the XPath filter not(ancestor-or-self::ds:Signature), then
// exclusive c14n without comments) computed straight from the document's bytes, without a DOM: a 50 MB document
// parsed by xmldom costs ~75× its size in memory and seconds of time, while its canonical form is mostly the
// bytes themselves. The scanner hashes unchanged runs of the input as they are and writes only what c14n changes
// (XML declaration, comments, empty-element tags, attribute order, namespace declarations, references, CR).
// It accepts a well-formed subset (UTF-8, no DOCTYPE, XML 1.0); on anything outside it, or anything it cannot
// prove well-formed, it gives up and the caller takes the DOM path, which also produces the error messages.
// Where the native scanner is built (native.ts), it passes over the unchanged stretches and this code
// takes over wherever c14n changes something or namespaces change.

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Thrown inside the scanner only: the document is outside the subset (or not well-formed). */
const GIVE_UP = new Error('outside the streaming canonicaliser subset');
function giveUp(): never {
  throw GIVE_UP;
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const QUOT = 0x22;
const APOS = 0x27;
const EQ = 0x3d;
const COLON = 0x3a;

/** Bytes character data cannot pass over unexamined: markup, references, `>` and CR (c14n rewrites them), `]` (`]]>`), controls, 0xEF (U+FFFE/U+FFFF). */
const TEXT_STOP = new Uint8Array(256);
/** Same for attribute values, plus TAB and LF (normalised to spaces); quotes are checked by the caller. */
const ATTR_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) {
  if (c !== 0x09 && c !== 0x0a) TEXT_STOP[c] = 1;
  ATTR_STOP[c] = 1;
}
for (const c of [LT, AMP, GT, 0x5d, 0xef]) TEXT_STOP[c] = 1;
for (const c of [LT, AMP, 0xef]) ATTR_STOP[c] = 1;

/** 1: ASCII name start character; 2: other ASCII name character; 3: byte of a non-ASCII character (checked on the decoded name). */
const NAME = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === COLON) NAME[c] = 1;
  else if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d) NAME[c] = 2;
  else if (c >= 0x80) NAME[c] = 3;
}
const XML_NAME =
  /^[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][-.0-9:A-Z_a-z\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D\u203F\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}]*$/u;
const ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const XML_DECL = /^<\?xml\s+version\s*=\s*(["'])1\.0\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>/;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<"\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[c] as string);
}

/** The character a reference's body (between `&` and `;`) stands for; only the predefined entities exist without a DTD. */
function referenced(body: string): string {
  switch (body) {
    case 'amp':
      return '&';
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
  if (!m) giveUp();
  const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
  const legal = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  if (!legal) giveUp();
  return String.fromCodePoint(code);
}

/** In-scope namespace bindings ('' the default) and those the canonical output has rendered; one frame is shared by all the elements that change neither. */
class Frame {
  readonly defaultUri: string;
  readonly renderedDefault: string;
  private prefixes?: Buffer;
  constructor(
    readonly scope: Map<string, string>,
    readonly rendered: Map<string, string>,
  ) {
    this.defaultUri = scope.get('') ?? '';
    this.renderedDefault = rendered.get('') ?? '';
  }

  /** The prefixes (each followed by `:`) whose binding c14n has rendered as it is in scope, for the native scanner. */
  get simplePrefixes(): Buffer {
    this.prefixes ??= Buffer.from([...this.scope].filter(([p, uri]) => p !== '' && this.rendered.get(p) === uri).map(([p]) => `${p}:`).join(''), 'utf8');
    return this.prefixes;
  }
}

/** Where the canonical form is one stretch of the document's bytes as they stand. */
export interface CanonicalSlice {
  start: number;
  end: number;
}

/** A native call passing over fewer bytes than this saves less than the call costs. */
const NATIVE_WORTH_BYTES = 64;

interface Attribute {
  qname: string;
  prefix: string;
  local: string;
  value: string;
  uri: string;
}

class Scanner {
  private readonly hash: Hash = createHash('sha256');
  private readonly n: number;
  private i = 0;
  /** Start of the run of input bytes that is canonical as it stands and not hashed yet. */
  private s0 = 0;
  private depth = 0;
  /** Depth of the ds:Signature whose subtree is being left out, -1 when none. */
  private suppressAt = -1;
  private rootSeen = false;
  rootIsSignature = false;
  /** Name (byte range) of each open element, for its end tag, and 1 when it changed the namespaces (its parent's frame is saved). */
  private names: Int32Array = new Int32Array(3 * 128);
  /** Namespaces of the open element; those of its ancestors are saved. */
  private frame = new Frame(new Map([['', '']]), new Map());
  private readonly saved: Frame[] = [];
  /** Attributes of the start tag being read, five numbers each: name start, name end, colon (-1), value start, value end. */
  private attrs: Int32Array = new Int32Array(5 * 32);
  private attrCount = 0;
  /** Colon offset (-1 when none) of the name `name` last read. */
  private colon = -1;
  /**
   * The canonical form so far is the input from `first` to `last` while `contiguous`: those bytes are not hashed
   * run by run but at the end, in one piece, by `speculative` when it was started on exactly them.
   */
  private first = -1;
  private last = -1;
  private contiguous = true;
  /** SHA-256 of the input from the root's start tag to the end bar trailing white space, started on another thread as the root is reached. */
  private speculative: { start: number; end: number; pending: PendingDigest } | null = null;
  private readonly native: NativeAddon | null;
  private readonly nativeState = new Int32Array(4);
  /**
   * Markup events to leave to JavaScript before calling the native scanner again. A call costs about 0.2 µs; where
   * it passes over little (every element declaring a namespace, say), calling it at each event made the scan a
   * third slower than JavaScript alone, so after such a call it is skipped for 1, 2, 4, … up to 64 events.
   */
  private nativeSkip = 0;
  private nativeBackoff = 0;

  constructor(
    private readonly b: Buffer,
    native: NativeAddon | null,
  ) {
    this.n = b.length;
    // The native scanner's positions are 32-bit.
    this.native = this.n < 2 ** 31 ? native : null;
  }

  /** The canonical form as a stretch of the input, when it is one; after run. */
  get slice(): CanonicalSlice | null {
    return this.contiguous && this.first >= 0 ? { start: this.first, end: this.last } : null;
  }

  /** Stops the speculative hash, if any, whatever happened. */
  dispose(): void {
    this.speculative?.pending.cancel();
  }

  run(): Buffer {
    const b = this.b;
    if (!isUtf8(b)) giveUp();
    let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    if (b[i] === LT && b[i + 1] === 0x3f && b.toString('latin1', i, i + 6).match(/^<\?xml[\s?]/)) {
      const decl = XML_DECL.exec(b.toString('latin1', i, Math.min(this.n, i + 256)));
      if (!decl || (decl[3] !== undefined && !/^utf-?8$/i.test(decl[3]))) giveUp();
      i += decl[0].length;
    }
    this.i = this.s0 = i;
    for (;;) {
      if (this.native !== null && this.depth > 0 && this.suppressAt < 0) {
        if (this.nativeSkip > 0) this.nativeSkip--;
        else this.nativeRun(this.native);
      }
      this.text();
      if (this.i >= this.n) break;
      const c = b[this.i + 1];
      if (c === SLASH) this.endTag();
      else if (c === 0x21) this.declaration();
      else if (c === 0x3f) this.pi();
      else this.startTag();
    }
    if (this.depth !== 0 || !this.rootSeen) giveUp();
    this.replace(this.n, this.n, '');
    if (!this.contiguous) return this.hash.digest();
    const spec = this.speculative;
    if (spec !== null && spec.start === this.first && spec.end === this.last) return spec.pending.digest();
    this.dispose();
    return this.hash.update(this.b.subarray(this.first, this.last)).digest();
  }

  /** At the root's start tag: the canonical form is most often the input from here to the end (bar white space). */
  private speculate(at: number): void {
    let end = this.n;
    while (end > at && isSpace(this.b[end - 1])) end--;
    this.speculative = { start: at, end, pending: sha256Meanwhile(this.b.subarray(at, end), this.native) };
  }

  /** Passes over what the native scanner finds canonical as it stands: those bytes stay in the unhashed run. */
  private nativeRun(native: NativeAddon): void {
    const f = this.frame;
    const state = this.nativeState;
    state[0] = this.i;
    state[1] = this.depth;
    // Down to the root's content: the root's end tag and what follows it are JavaScript's.
    state[2] = 1;
    state[3] = f.renderedDefault === f.defaultUri ? 1 : 0;
    native.scanCanonicalRun(this.b, state, this.names, f.simplePrefixes);
    const passed = (state[0] as number) - this.i;
    this.i = state[0] as number;
    this.depth = state[1] as number;
    if (passed >= NATIVE_WORTH_BYTES) this.nativeBackoff = 0;
    else this.nativeSkip = this.nativeBackoff = Math.min(64, this.nativeBackoff * 2 || 1);
  }

  /** Canonical output so far is complete up to `start`; `text` stands for the input from `start` to `end`. */
  private replace(start: number, end: number, text: string): void {
    if (this.suppressAt < 0) {
      if (start > this.s0) this.unchanged(this.s0, start);
      if (text) {
        this.endSlice();
        this.hash.update(text);
      }
    }
    this.s0 = end;
  }

  /** Input from `from` to `to` is in the canonical form as it stands. */
  private unchanged(from: number, to: number): void {
    if (this.contiguous) {
      if (this.first < 0) this.first = from;
      else if (from !== this.last) this.endSlice();
      if (this.contiguous) {
        this.last = to;
        return;
      }
    }
    this.hash.update(this.b.subarray(from, to));
  }

  /** The canonical form is not one stretch of the input after all: what was noted is hashed now. */
  private endSlice(): void {
    if (!this.contiguous) return;
    this.contiguous = false;
    this.dispose();
    if (this.first >= 0) this.hash.update(this.b.subarray(this.first, this.last));
  }

  /** Character data up to the next `<` (or the end, outside the root element). */
  private text(): void {
    const b = this.b;
    const n = this.n;
    let i = this.i;
    if (this.depth === 0) {
      // Outside the root: white space only, and not part of the canonical form.
      while (i < n && isSpace(b[i])) i++;
      if (i < n && b[i] !== LT) giveUp();
      this.replace(this.i, i, '');
      this.i = i;
      return;
    }
    for (;;) {
      while (i < n && TEXT_STOP[b[i] as number] === 0) i++;
      if (i >= n) giveUp();
      const c = b[i] as number;
      if (c === LT) break;
      if (c === AMP) {
        const end = this.reference(i);
        const body = b.toString('latin1', i + 1, end - 1);
        const ch = referenced(body);
        // &amp; &lt; &gt; are already canonical.
        if (body !== 'amp' && body !== 'lt' && body !== 'gt') this.replace(i, end, escapeText(ch));
        i = end;
      } else if (c === GT) {
        this.replace(i, i + 1, '&gt;');
        i++;
      } else if (c === 0x0d) {
        const end = b[i + 1] === 0x0a ? i + 2 : i + 1;
        this.replace(i, end, '\n');
        i = end;
      } else if (c === 0x5d) {
        if (b[i + 1] === 0x5d && b[i + 2] === GT) giveUp();
        i++;
      } else if (c === 0xef) {
        if (b[i + 1] === 0xbf && (b[i + 2] === 0xbe || b[i + 2] === 0xbf)) giveUp();
        i++;
      } else giveUp();
    }
    this.i = i;
  }

  /** End (after `;`) of the reference starting at `at`. */
  private reference(at: number): number {
    const b = this.b;
    let j = at + 1;
    while (j < this.n && j - at < 12 && b[j] !== 0x3b) j++;
    if (b[j] !== 0x3b) giveUp();
    return j + 1;
  }

  /** `<!`: a comment (not in the canonical form: only its well-formedness matters) or CDATA; a DOCTYPE is outside the subset. */
  private declaration(): void {
    const b = this.b;
    const at = this.i;
    if (b[at + 2] === 0x5b) return this.cdata();
    if (b[at + 2] !== 0x2d || b[at + 3] !== 0x2d) giveUp(); // a DOCTYPE or other declaration
    const end = b.indexOf('--', at + 4, 'latin1');
    if (end < 0 || b[end + 2] !== GT) giveUp();
    this.checkChars(at + 4, end);
    this.replace(at, end + 3, '');
    this.i = end + 3;
  }

  private cdata(): void {
    const b = this.b;
    const at = this.i;
    if (this.depth === 0 || b.toString('latin1', at, at + 9) !== '<![CDATA[') giveUp();
    const end = b.indexOf(']]>', at + 9, 'latin1');
    if (end < 0) giveUp();
    const content = b.toString('utf8', at + 9, end);
    if (ILLEGAL_CHAR.test(content)) giveUp();
    this.replace(at, end + 3, escapeText(content.replace(/\r\n?/g, '\n')));
    this.i = end + 3;
  }

  private checkChars(from: number, to: number): void {
    const b = this.b;
    for (let j = from; j < to; j++) {
      const c = b[j] as number;
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c === 0xef && b[j + 1] === 0xbf && (b[j + 2] === 0xbe || b[j + 2] === 0xbf))) giveUp();
    }
  }

  private pi(): void {
    const b = this.b;
    const at = this.i;
    const targetEnd = this.name(at + 2);
    const target = b.toString('utf8', at + 2, targetEnd);
    if (this.colon >= 0 || target.toLowerCase() === 'xml') giveUp();
    const end = b.indexOf('?>', targetEnd, 'latin1');
    if (end < 0 || (end > targetEnd && !isSpace(b[targetEnd]))) giveUp();
    let from = targetEnd;
    while (from < end && isSpace(b[from])) from++;
    this.checkChars(from, end);
    const data = b.toString('utf8', from, end).replace(/\r\n?/g, '\n');
    const pi = `<?${target}${data ? ` ${data}` : ''}?>`;
    // Outside the root element a PI is set off by a line feed from the root's side.
    this.replace(at, end + 2, this.depth > 0 ? pi : this.rootSeen ? `\n${pi}` : `${pi}\n`);
    this.i = end + 2;
  }

  /** Reads a name from `at`: its end (its colon in `this.colon`); checks it is an XML name and a namespace-valid QName. */
  private name(at: number): number {
    const b = this.b;
    const n = this.n;
    const first = at < n ? NAME[b[at] as number] : 0;
    if (first !== 1 && first !== 3) giveUp();
    let j = at;
    let colon = -1;
    let ascii = true;
    for (; j < n; j++) {
      const c = b[j] as number;
      const t = NAME[c];
      if (t === 0) break;
      if (c === COLON) {
        if (colon >= 0) giveUp();
        colon = j;
      } else if (t === 3) ascii = false;
    }
    if (colon === at || colon === j - 1) giveUp();
    if (!ascii && !XML_NAME.test(b.toString('utf8', at, j))) giveUp();
    this.colon = colon;
    return j;
  }

  private endTag(): void {
    const b = this.b;
    const at = this.i;
    if (this.depth === 0) giveUp();
    const top = (this.depth - 1) * 3;
    const ns = this.names[top] as number;
    const len = (this.names[top + 1] as number) - ns;
    let j = at + 2;
    for (let k = 0; k < len; k++) if (b[j + k] !== b[ns + k]) giveUp();
    j += len;
    let e = j;
    while (e < this.n && isSpace(b[e])) e++;
    if (b[e] !== GT) giveUp();
    if (e !== j) this.replace(at, e + 1, `</${b.toString('utf8', ns, ns + len)}>`);
    this.depth--;
    if (this.names[top + 2] === 1) this.frame = this.saved.pop() as Frame;
    if (this.suppressAt === this.depth) {
      this.suppressAt = -1;
      this.s0 = e + 1;
    }
    this.i = e + 1;
  }

  private startTag(): void {
    const b = this.b;
    const n = this.n;
    const at = this.i;
    if (this.depth === 0 && this.rootSeen) giveUp();
    if (this.depth === 0) this.speculate(at);
    this.rootSeen = true;
    const nameEnd = this.name(at + 1);
    const colon = this.colon;
    // As written is canonical when: attributes in order, each after one space, `name="value"` with nothing to
    // normalise in the value, no namespace declarations or prefixed attributes, `>` right after.
    let simple = true;
    let empty = false;
    let count = 0;
    let j = nameEnd;
    for (;;) {
      const ws = j;
      while (j < n && isSpace(b[j])) j++;
      const c = b[j];
      if (c === GT) {
        if (j !== ws) simple = false;
        j++;
        break;
      }
      if (c === SLASH) {
        if (b[j + 1] !== GT) giveUp();
        if (j !== ws) simple = false;
        empty = true;
        j += 2;
        break;
      }
      if (j === ws || j >= n) giveUp();
      if (j - ws !== 1 || b[ws] !== 0x20) simple = false;
      const as = j;
      const ae = this.name(j);
      const acolon = this.colon;
      j = ae;
      while (j < n && isSpace(b[j])) j++;
      if (b[j] !== EQ) giveUp();
      j++;
      while (j < n && isSpace(b[j])) j++;
      if (j !== ae + 1) simple = false;
      const q = b[j];
      if (q !== QUOT && q !== APOS) giveUp();
      if (q !== QUOT) simple = false;
      const vs = ++j;
      for (;;) {
        if (j >= n) giveUp();
        const v = b[j] as number;
        if (v === q) break;
        if (ATTR_STOP[v] !== 0) {
          if (v === LT || (v < 0x20 && v !== 0x09 && v !== 0x0a && v !== 0x0d)) giveUp();
          if (v === 0xef) {
            if (b[j + 1] === 0xbf && (b[j + 2] === 0xbe || b[j + 2] === 0xbf)) giveUp();
          } else simple = false;
        }
        j++;
      }
      if (acolon >= 0 || (ae - as === 5 && b.toString('latin1', as, ae) === 'xmlns')) simple = false;
      else if (simple && count > 0 && compareBytes(b, this.attrs[count * 5 - 5] as number, this.attrs[count * 5 - 4] as number, as, ae) >= 0) simple = false;
      if (count * 5 === this.attrs.length) this.attrs = grow(this.attrs);
      const a = this.attrs;
      const k = count++ * 5;
      a[k] = as;
      a[k + 1] = ae;
      a[k + 2] = acolon;
      a[k + 3] = vs;
      a[k + 4] = j;
      j++;
    }
    if (simple) {
      const f = this.frame;
      let uri: string | undefined;
      if (colon < 0) {
        uri = f.defaultUri;
        simple = f.renderedDefault === uri;
      } else {
        const prefix = b.toString('utf8', at + 1, colon);
        uri = f.scope.get(prefix);
        if (uri === undefined) giveUp();
        simple = f.rendered.get(prefix) === uri;
      }
      if (simple) {
        const localStart = colon >= 0 ? colon + 1 : at + 1;
        const signature = uri === DS && nameEnd - localStart === 9 && b.toString('latin1', localStart, nameEnd) === 'Signature';
        if (signature) this.suppress(at);
        if (empty) this.replace(j - 2, j, `></${b.toString('utf8', at + 1, nameEnd)}>`);
        this.open(at + 1, nameEnd, f, empty, j);
        this.i = j;
        return;
      }
    }
    this.attrCount = count;
    this.general(at, nameEnd, colon, empty, j);
    this.i = j;
  }

  /** Start of a ds:Signature: its subtree is left out (flushes what precedes it). */
  private suppress(at: number): void {
    if (this.depth === 0) this.rootIsSignature = true;
    if (this.suppressAt >= 0) return;
    this.replace(at, at, '');
    this.suppressAt = this.depth;
  }

  /** Enters the element whose start tag ended at `end` (or, when empty, enters and leaves it). */
  private open(nameStart: number, nameEnd: number, frame: Frame, empty: boolean, end: number): void {
    if (empty) {
      if (this.suppressAt === this.depth) {
        this.suppressAt = -1;
        this.s0 = end;
      }
      return;
    }
    if (this.depth * 3 === this.names.length) this.names = grow(this.names);
    const k = this.depth * 3;
    this.names[k] = nameStart;
    this.names[k + 1] = nameEnd;
    if (frame === this.frame) this.names[k + 2] = 0;
    else {
      this.names[k + 2] = 1;
      this.saved.push(this.frame);
      this.frame = frame;
    }
    this.depth++;
  }

  /** Any start tag: decodes it, resolves namespaces and writes its canonical form. */
  private general(at: number, nameEnd: number, colon: number, empty: boolean, end: number): void {
    const b = this.b;
    const qname = b.toString('utf8', at + 1, nameEnd);
    const prefix = colon >= 0 ? b.toString('utf8', at + 1, colon) : '';
    const local = colon >= 0 ? b.toString('utf8', colon + 1, nameEnd) : qname;
    const f = this.frame;
    let scope = f.scope;
    const attrs: Attribute[] = [];
    const qnames = new Set<string>();
    const a = this.attrs;
    for (let k = 0; k < this.attrCount * 5; k += 5) {
      const [as, ae, acolon, vs, ve] = a.subarray(k, k + 5) as unknown as [number, number, number, number, number];
      const name = b.toString('utf8', as, ae);
      if (qnames.has(name)) giveUp();
      qnames.add(name);
      const value = attributeValue(b.toString('utf8', vs, ve));
      const ap = acolon >= 0 ? b.toString('utf8', as, acolon) : '';
      const al = acolon >= 0 ? b.toString('utf8', acolon + 1, ae) : name;
      if (name === 'xmlns' || ap === 'xmlns') {
        const p = ap ? al : '';
        // Namespaces in XML 1.0: xmlns is never declared, xml only to its own name, no prefix undeclared.
        if (p === 'xmlns' || value === XMLNS_NS || (p === 'xml') !== (value === XML_NS) || (p !== '' && value === '')) giveUp();
        if (p === 'xml') continue;
        if (scope === f.scope) scope = new Map(scope);
        scope.set(p, value);
        continue;
      }
      attrs.push({ qname: name, prefix: ap, local: al, value, uri: '' });
    }
    const uri = prefix === 'xml' || prefix === 'xmlns' ? giveUp() : scope.get(prefix);
    if (uri === undefined) giveUp();
    const needed = new Map<string, string>([[prefix, uri]]);
    const expanded = new Set<string>();
    for (const attr of attrs) {
      if (attr.prefix) {
        const u = attr.prefix === 'xml' ? XML_NS : scope.get(attr.prefix);
        if (u === undefined) giveUp();
        attr.uri = u;
        if (u !== XML_NS) needed.set(attr.prefix, u);
      }
      const key = `${attr.uri} ${attr.local}`;
      if (expanded.has(key)) giveUp();
      expanded.add(key);
    }
    // Exclusive c14n: a namespace is rendered where visibly used and not already rendered the same above.
    let rendered = f.rendered;
    const decls: [string, string][] = [];
    for (const [p, u] of needed) {
      const current = rendered.get(p) ?? '';
      if (current === u && (p === '' || rendered.has(p))) continue;
      decls.push([p, u]);
      if (rendered === f.rendered) rendered = new Map(rendered);
      rendered.set(p, u);
    }
    if (uri === DS && local === 'Signature') this.suppress(at);
    if (this.suppressAt < 0) {
      decls.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      attrs.sort((x, y) => {
        if (x.uri !== y.uri) return x.uri < y.uri ? -1 : 1;
        return x.local < y.local ? -1 : x.local > y.local ? 1 : 0;
      });
      let out = `<${qname}`;
      for (const [p, u] of decls) out += `${p ? ` xmlns:${p}` : ' xmlns'}="${escapeAttr(u)}"`;
      for (const attr of attrs) out += ` ${attr.qname}="${escapeAttr(attr.value)}"`;
      out += empty ? `></${qname}>` : '>';
      // Often the tag is canonical as written (a root declaring its namespaces in order): it then stays in the run.
      if (out !== b.toString('utf8', at, end)) this.replace(at, end, out);
    }
    this.open(at + 1, nameEnd, scope === f.scope && rendered === f.rendered ? f : new Frame(scope, rendered), empty, end);
  }
}

function grow(a: Int32Array): Int32Array {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}

function compareBytes(b: Buffer, as: number, ae: number, bs: number, be: number): number {
  const len = Math.min(ae - as, be - bs);
  for (let k = 0; k < len; k++) {
    const d = (b[as + k] as number) - (b[bs + k] as number);
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

/** An attribute value as the parser reports it: line ends and white space normalised to spaces, then references replaced. */
function attributeValue(raw: string): string {
  if (!/[&\t\n\r]/.test(raw)) return raw;
  return raw.replace(/\r\n|[\t\n\r]/g, ' ').replace(/&([^;&]*);|&/g, (whole, body: string | undefined) => (body === undefined ? giveUp() : referenced(body)));
}

export interface ScannedDocument {
  /** SHA-256 of the canonical document without its signatures. */
  digest: Buffer;
  /** Whether the root element is itself a ds:Signature. */
  rootIsSignature: boolean;
  /** The canonical form as a stretch of the document, when it is one (then `digest` is that stretch's SHA-256). */
  slice: CanonicalSlice | null;
}

/**
 * The enveloped reference's canonical digest of a document; null when the document is outside what the scanner
 * handles (the caller then uses the DOM). `native: false` keeps the native scanner out (tests compare the two).
 */
export function digestWithoutSignatures(document: Buffer, { native = true }: { native?: boolean } = {}): ScannedDocument | null {
  const scanner = new Scanner(document, native ? nativeAddon : null);
  try {
    const digest = scanner.run();
    return { digest, rootIsSignature: scanner.rootIsSignature, slice: scanner.slice };
  } catch (err) {
    if (err === GIVE_UP) return null;
    throw err;
  } finally {
    scanner.dispose();
  }
}
