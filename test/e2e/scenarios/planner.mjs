// planner.mjs -- scenario 3: a forwarder plans CNCSX -> CNSHA-WGQ on a day
// the shipped timetable runs it (checked first with GET /v1/routes), sees
// the itineraries in the table and on the map, and books the first one as
// a waybill; the answer links to its tracking page.
import { randomBytes } from 'node:crypto';
import { atLeast, findRoute, login, open, setField, submit } from '../lib.mjs';

export const name = 'planner';
export const contextOptions = { timezoneId: 'Asia/Shanghai' };

const FROM = 'CNCSX';
const TO = 'CNSHA-WGQ';

export async function run({ world, page }) {
  const found = await findRoute(world, FROM, TO);
  if (!found) throw new Error(`GET /v1/routes finds no ${FROM} -> ${TO} itinerary in the next week`);
  await open(page, world, '/plan');
  await login(page, world.keys.forwarder, 'forwarder');
  await setField(page, '#plan-from', FROM);
  await setField(page, '#plan-to', TO);
  await page.fill('#plan-date', found.depart.slice(0, 16)); // datetime-local, China time
  await submit(page, '#plan-form');
  const n = await atLeast(page, '#itineraries tr.itinerary', 1, `no itinerary ${FROM} -> ${TO} ` +
                          `from ${found.depart}`, 20000);
  await atLeast(page, '#map path.route', 1, 'the itineraries are not drawn on the map');
  await page.screenshot({ path: world.shot('planner-results') });

  await page.click('#itineraries tr.itinerary >> nth=0 >> button.book');
  await page.waitForSelector('#book-form', { state: 'visible', timeout: 5000 }).catch(() => {
    throw new Error('#book-form did not show after clicking the first itinerary\'s book button');
  });
  const number = `E2EBL${randomBytes(4).toString('hex').toUpperCase()}`;
  await setField(page, '#book-number', number);
  await setField(page, '#book-type', 'bl');
  await setField(page, '#book-shipper', 'E2E Shipper Co');
  await setField(page, '#book-consignee', 'E2E Consignee Co');
  await setField(page, '#book-weight', '1200');
  await setField(page, '#book-pieces', '12');
  await submit(page, '#book-form');
  await page.waitForSelector('#book-result a#book-track-link', { timeout: 10000 }).catch(async () => {
    const t = await page.textContent('#book-result').catch(() => '(no #book-result)');
    throw new Error(`booking showed no a#book-track-link; #book-result: "${(t || '').trim().slice(0, 200)}"`);
  });
  const href = await page.getAttribute('a#book-track-link', 'href');
  if (!href || !href.includes(`/track/${number}`)) {
    throw new Error(`a#book-track-link points to "${href}", not /track/${number}`);
  }
  await world.must(200, 'GET', `/v1/waybills/${number}`, world.keys.forwarder);
  world.note(`planner: ${n} itineraries, booked ${number}`);
}
