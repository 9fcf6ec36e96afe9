// language.mjs -- scenario 2: a browser asking for Chinese (locale zh-CN,
// so Accept-Language and navigator.languages) gets the pages in Chinese;
// the header's language button switches to English.
import { open } from '../lib.mjs';

export const name = 'language';
export const contextOptions = { locale: 'zh-CN' };

const navText = (page) => page.textContent('#nav-track').then((s) => (s || '').trim());

export async function run({ world, page }) {
  await open(page, world, '/');
  await page.waitForFunction(() => {
    const n = document.getElementById('nav-track');
    return n && n.textContent.trim() === '货物追踪';
  }, null, { timeout: 5000 }).catch(async () => {
    throw new Error(`with locale zh-CN #nav-track reads "${await navText(page).catch(() => '?')}", ` +
                    'not 货物追踪');
  });
  const lang = await page.evaluate(() => document.documentElement.lang);
  await page.screenshot({ path: world.shot('language-zh') });
  await page.click('#dt-lang');
  await page.waitForFunction(() => document.getElementById('nav-track').textContent.trim() === 'Track',
    null, { timeout: 5000 }).catch(async () => {
    throw new Error(`after #dt-lang #nav-track reads "${await navText(page)}", not Track`);
  });
  if (lang && !lang.startsWith('zh')) world.note(`language: <html lang> was "${lang}" in Chinese`);
}
