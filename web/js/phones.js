import { api, el } from './api.js';
import { t } from './i18n.js';

export async function renderPhones() {
  const list = document.getElementById('ph-list');
  const { phones } = await api('GET', 'phones');
  list.replaceChildren(...phones.map((p) =>
    el('li', {}, el('a', { href: `/phone/${encodeURIComponent(p.phone)}`, target: '_blank', rel: 'noopener' },
      el('span', { class: 'op', text: p.operator }),
      el('span', { text: `${p.phone} · ${p.name}${p.blocked ? ` (${t('ph.blocked')})` : ''}` })))));
}
