// ops.mjs -- scenario 5: the operations page with the admin key lists the
// five configured feeds and says Redis is fine.
import { atLeast, login, open } from '../lib.mjs';

export const name = 'ops';

export async function run({ world, page }) {
  await open(page, world, '/ops');
  await login(page, world.keys.admin, 'admin');
  await atLeast(page, '#feeds tr.feed', 5, 'the feed table');
  const names = await page.$$eval('#feeds tr.feed', (l) => l.map((e) => e.getAttribute('data-feed')));
  for (const f of ['chenglingji', 'sanhe', 'sanhe-1r', 'rail', 'rail-rt']) {
    if (!names.includes(f)) throw new Error(`no tr.feed[data-feed=${f}] (rows: ${names.join(', ')})`);
  }
  /* the readiness checks: Redis and the customs load answered ok (the
   * page marks each check good or bad, whatever the language) */
  await page.waitForFunction(() => {
    const r = document.querySelector('#redis-state dd[data-check=redis]');
    const c = document.querySelector('#redis-state dd[data-check=customs]');
    return r && c && r.classList.contains('good') && c.classList.contains('good');
  }, null, { timeout: 5000 }).catch(async () => {
    const t = await page.textContent('#redis-state').catch(() => '(no #redis-state)');
    throw new Error(`#redis-state does not show Redis and customs ok: "${t}"`);
  });
}
