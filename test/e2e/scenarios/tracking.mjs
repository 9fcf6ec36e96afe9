// tracking.mjs -- scenario 1: a consignee follows a simulated shipment.
// Books one of the feed simulator's water consignments (GET /sim/waybills)
// as the forwarder, opens /track/NUMBER?token=TOKEN with its consignee
// token and expects the ETA, the timeline, the route on the map and the
// live stream open; the token must leave the address bar.  Then pushes a
// DCSA event naming the waybill through the chenglingji feed and expects
// its row in the timeline within 10 s without the page reloading
// (window.__noReload survives).
import { randomUUID } from 'node:crypto';
import { atLeast, dcsaEquipment, isoCST, open } from '../lib.mjs';

export const name = 'tracking';

export async function run({ world, page }) {
  const r = await fetch(`${world.simBase}/sim/waybills?limit=50&connecting=0`);
  if (r.status !== 200) throw new Error(`GET /sim/waybills: ${r.status}`);
  const bodies = (await r.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const wb = bodies.find((b) => b.type === 'bl' && b.containers && b.containers.length) || bodies[0];
  if (!wb) throw new Error('the simulator offered no waybill');
  const made = await world.must(201, 'POST', '/v1/waybills', world.keys.forwarder, wb);
  const token = made.consignee_token;
  if (!token) throw new Error('POST /v1/waybills answered no consignee_token');

  await open(page, world, `/track/${encodeURIComponent(wb.number)}?token=${token}`);
  await page.waitForSelector('#live-status[data-state=open]', { state: 'attached', timeout: 10000 }).catch(() => {
    throw new Error('#live-status never reached data-state=open (SSE stream not open)');
  });
  await page.waitForFunction(() => {
    const e = document.getElementById('wb-eta');
    return e && e.textContent.trim() !== '';
  }, null, { timeout: 5000 }).catch(() => { throw new Error('#wb-eta stayed empty'); });
  const num = (await page.textContent('#wb-number')) || '';
  if (!num.includes(wb.number)) throw new Error(`#wb-number shows "${num}", not ${wb.number}`);
  // shown (rendered, not display:none), whether or not it has rows yet
  await page.waitForFunction(() => {
    const t = document.getElementById('timeline');
    return t && t.getClientRects().length > 0;
  }, null, { timeout: 5000 }).catch(() => { throw new Error('#timeline is missing or hidden'); });
  await atLeast(page, '#map path.route', 1, 'the booked route is not drawn on the map');
  const href = await page.evaluate(() => location.href);
  if (href.includes(token)) throw new Error('the consignee token is still in the address bar');
  await page.screenshot({ path: world.shot('tracking-before') });

  // A new event, live.
  await page.evaluate(() => { window.__noReload = 1; });
  const id = randomUUID();
  const now = new Date(Date.now() - 60e3);
  await world.pushDcsa([dcsaEquipment({
    id, container: wb.containers ? wb.containers[0] : 'CSQU3054383', bl: wb.number,
    code: 'GTIN', time: isoCST(now), loc: wb.origin,
  })]);
  await page.waitForFunction((i) => document.querySelector(`.event[data-event-id="${i}"]`) !== null,
    id, { timeout: 10000 }).catch(async () => {
    const ids = await page.$$eval('.event', (l) => l.map((e) => e.getAttribute('data-event-id')));
    throw new Error(`the pushed event ${id} did not appear in the timeline within 10 s ` +
                    `(rows: ${ids.length}; ${ids.slice(-3).join(', ')})`);
  });
  const kept = await page.evaluate(() => window.__noReload);
  if (kept !== 1) throw new Error('the page reloaded to show the event (window.__noReload is gone)');
  const cls = await page.$eval(`.event[data-event-id="${id}"]`, (e) => e.className);
  if (!/\bcls-ACT\b/.test(cls)) throw new Error(`the pushed (actual) event's row has class "${cls}"`);
}
