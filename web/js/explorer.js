import { api, el } from './api.js';
import { t } from './i18n.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** The gateway's URL space (as in src/gateway): versioned paths except the e-signature CoreApi. */
const GATEWAY_PATH = /^\/v\d+(\.\d+)?\/(?!coreapi)/i;

function example(schema, depth = 0) {
  if (!schema || depth > 4) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.anyOf) return example(schema.anyOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || schema.properties) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, example(v, depth + 1)]));
  }
  if (type === 'array') return [];
  if (type === 'integer' || type === 'number') return 0;
  if (type === 'boolean') return false;
  if (schema.enum) return schema.enum[0];
  return type === 'string' ? '' : null;
}

function tryIt(method, path, op) {
  const body = op.requestBody?.content?.['application/json']?.schema;
  const id = `${method}-${path}`.replace(/[^a-zA-Z0-9]/g, '-');
  const out = el('pre', { class: 'wrap', 'aria-live': 'polite' });
  const pathInput = el('input', { id: `${id}-path`, value: path, spellcheck: 'false' });
  const headers = el('textarea', { id: `${id}-headers`, rows: '2', spellcheck: 'false' });
  const bodyInput = el('textarea', { id: `${id}-body`, rows: '4', spellcheck: 'false' });
  if (body) bodyInput.value = JSON.stringify(example(body), null, 2);
  const send = async () => {
    const h = {};
    for (const line of headers.value.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) h[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    const carries = method !== 'get' && bodyInput.value.trim() !== '';
    if (carries && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    try {
      const res = await fetch(pathInput.value, { method: method.toUpperCase(), headers: h, body: carries ? bodyInput.value : undefined });
      out.textContent = `${res.status} ${res.statusText}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${await res.text()}`;
    } catch (err) {
      out.textContent = `${t('error')}: ${err.message}`;
    }
  };
  return el('div', { class: 'try' },
    el('label', { for: `${id}-path`, text: t('exp.path') }), pathInput,
    el('label', { for: `${id}-headers`, text: t('exp.headers') }), headers,
    method === 'get' ? null : el('label', { for: `${id}-body`, text: t('exp.body') }), method === 'get' ? null : bodyInput,
    el('div', { class: 'row' },
      el('button', { type: 'button', text: t('exp.send'), onclick: send }),
      // Gateway routes need a request signature: hand the request over to the signature tool.
      GATEWAY_PATH.test(path)
        ? el('button', { type: 'button', class: 'secondary to-signature', text: t('exp.sign'), onclick: () => {
          document.getElementById('sig-method').value = method.toUpperCase();
          document.getElementById('sig-url').value = pathInput.value;
          document.getElementById('sig-body').value = method === 'get' ? '' : bodyInput.value;
          location.hash = 'signature';
        } })
        : null),
    out);
}

export async function renderExplorer() {
  const doc = await api('GET', 'openapi');
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ method, path, op });
    }
  }
  const list = document.getElementById('exp-list');
  list.replaceChildren();
  for (const [tag, ops] of [...byTag].sort(([a], [b]) => a.localeCompare(b))) {
    list.append(el('section', { class: 'card tag', 'data-tag': tag }, el('h2', { text: tag }),
      ...ops.map(({ method, path, op }) => {
        const details = el('details', { class: 'op-item', 'data-search': `${method} ${path} ${op.summary ?? ''}`.toLowerCase() },
          el('summary', {}, el('span', { class: 'method', text: method.toUpperCase() }), el('code', { text: path }), op.summary ? ` — ${op.summary}` : ''));
        details.addEventListener('toggle', () => { if (details.open && !details.querySelector('.try')) details.append(tryIt(method, path, op)); });
        return details;
      })));
  }
  const filter = document.getElementById('exp-filter');
  filter.oninput = () => {
    const q = filter.value.toLowerCase();
    for (const d of list.querySelectorAll('details')) d.hidden = q !== '' && !d.dataset.search.includes(q);
  };
}
