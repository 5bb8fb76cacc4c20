import { applyLanguage, lang, setLanguage } from './i18n.js';
import { initEsign } from './esign.js';
import { renderExplorer } from './explorer.js';
import { renderPhones } from './phones.js';
import { initPortal } from './portal.js';
import { initSignatureTool } from './signature.js';

const PAGES = ['portal', 'signature', 'explorer', 'esign', 'phones'];
const refreshPortal = initPortal();
initSignatureTool();
initEsign();

async function show() {
  const page = PAGES.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'portal';
  for (const id of PAGES) document.getElementById(id).hidden = id !== page;
  for (const a of document.querySelectorAll('.top nav a')) {
    if (a.getAttribute('href') === `#${page}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.body.dataset.page = page;
  try {
    if (page === 'portal') await refreshPortal();
    if (page === 'explorer') await renderExplorer();
    if (page === 'phones') await renderPhones();
  } finally {
    document.body.dataset.ready = page;
  }
}

const select = document.getElementById('lang');
select.value = lang();
select.addEventListener('change', () => { setLanguage(select.value); void show(); });
applyLanguage();
// The skip link must not change the hash: that is the router's.
document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); document.getElementById('main').focus(); });
window.addEventListener('hashchange', () => { void show(); document.getElementById('main').focus(); });
void show();
