// customs.mjs -- scenario 4: the customs desk.  Sets up what
// test/integration/test_customs.c does for its exit-port case: a waybill
// on the river barge CNCSX -> CNSHA-WGQ, its export order (CEB303),
// logistics waybill (CEB505) and inventory (CEB603) declaring an exit
// through Shanghai by air on voyage V99X, then a LOAD of its container at
// Ningbo on V01E, which raises alerts.  The officer logs in, sees the
// alerts, opens one (the declaration's matching result and events) and
// acknowledges it; GET /v1/customs/alerts confirms the state.
import { randomBytes, randomUUID } from 'node:crypto';
import { atLeast, dcsaEquipment, findRoute, isoCST, login, open, sleep } from '../lib.mjs';

export const name = 'customs';

const TRANSFER = { copCode: '4301960ABC', copName: 'Yueyang Test Forwarding', dxpMode: 'DXP',
  dxpId: 'DXPENT0000YY01' };
const app = (guid, type = '1') => ({ guid, appType: type, appTime: '20261125093000', appStatus: '2' });
const ITEM = { gnum: '1', itemName: 'Tea', gcode: '6304920000', gname: 'Tea', qty: '20', unit: '007',
  qty1: '20', unit1: '007', price: '100', totalPrice: '100' };
const msg = (message, guid, block) => ({ message, guid, blocks: [block], transfer: TRANSFER });

export async function run({ world, page }) {
  const fwd = world.keys.forwarder;
  const cust = world.keys.customs;
  const number = `YYBL${randomBytes(3).toString('hex').toUpperCase()}`;
  const container = 'CSQU3054383';
  const found = await findRoute(world, 'CNCSX', 'CNSHA-WGQ', { modes: 'river', maxLegs: 1 });
  if (!found) throw new Error('no river run CNCSX -> CNSHA-WGQ in the next week (GET /v1/routes)');
  const leg = found.itinerary.legs[0];
  await world.must(201, 'POST', '/v1/waybills', fwd, {
    number, type: 'bl', shipper: { name: '岳阳茶业' },
    consignee: { name: '张三', phone: '+86 138 0013 8000' },
    origin: 'CNCSX', destination: 'CNSHA-WGQ', cargo: { pieces: 20, weight_kg: 18000, teu: 1 },
    containers: [container], departure: found.depart,
    itinerary: { legs: [{ trip_id: leg.trip_id, run_id: leg.run_id, from: leg.from, to: leg.to }] },
  });
  const g = [0, 1, 2].map(() => randomUUID().toUpperCase());
  const gross = '18000';
  await world.must(201, 'POST', '/v1/customs/messages', fwd, msg('CEB303', g[0], {
    head: { ...app(g[0]), orderType: 'E', orderNo: `ORD-${number}`, ebpCode: '4301960EBP',
      ebcCode: '4301960EXP', goodsValue: '100', freight: '80', currency: '502' },
    items: [ITEM] }));
  await world.must(201, 'POST', '/v1/customs/messages', fwd, msg('CEB505', g[1], {
    head: { ...app(g[1]), logisticsCode: '4301960LOG', logisticsNo: number, freight: '80',
      currency: '502', grossWeight: gross, packNo: '20', ebcCode: '4301960EXP' } }));
  const inv = await world.must(201, 'POST', '/v1/customs/messages', fwd, msg('CEB603', g[2], {
    head: { ...app(g[2]), customsCode: '4900', ebpCode: '4301960EBP', orderNo: `ORD-${number}`,
      logisticsCode: '4301960LOG', logisticsNo: number, copNo: `INV-${number}`, ieFlag: 'E',
      portCode: '2200', ieDate: '20261125', ebcCode: '4301960EXP', tradeMode: '9610',
      trafMode: '5', voyageNo: 'V99X', billNo: number, country: '502', freight: '80',
      packNo: '20', grossWeight: gross, netWeight: '17000' },
    items: [ITEM] }));
  const declId = inv && inv.stored && inv.stored[0] && inv.stored[0].id;
  await world.pushDcsa([dcsaEquipment({
    id: randomUUID(), container, bl: number, code: 'LOAD',
    time: isoCST(new Date(Date.now() - 3600e3)), loc: 'CNNGB', voyage: 'V01E',
  })]);
  let alerts = [];
  for (let i = 0; i < 60 && alerts.length === 0; i++) {
    const j = await world.must(200, 'GET', '/v1/customs/alerts?limit=500', cust);
    alerts = (j.alerts || []).filter((a) => a.waybill === number);
    if (!alerts.length) await sleep(100);
  }
  if (!alerts.length) throw new Error(`the LOAD at CNNGB raised no alert for ${number} (declaration ${declId})`);

  await open(page, world, '/customs');
  await login(page, cust, 'customs');
  await atLeast(page, '#alerts tr.alert', 1, 'the alert list');
  const row = '#alerts tr.alert >> nth=0';
  const alertId = await page.getAttribute(row, 'data-alert-id');
  const sev = await page.getAttribute(row, 'data-severity');
  if (!alertId || !sev) throw new Error('the first tr.alert has no data-alert-id or data-severity');
  await page.click(row);
  await page.waitForSelector('#declaration #matching-status', { state: 'visible', timeout: 5000 })
    .catch(() => { throw new Error('clicking the alert did not show #matching-status in #declaration'); });
  // the declaration's waybill has one carrier event: the LOAD at Ningbo
  await atLeast(page, '#declaration #decl-events .event', 1, 'the declaration\'s events', 5000);
  await page.screenshot({ path: world.shot('customs-declaration') });
  await page.click('#ack-button');
  await page.waitForSelector('#ack-result', { state: 'visible', timeout: 5000 })
    .catch(() => { throw new Error('#ack-result did not show after #ack-button'); });
  await page.waitForSelector(`#alerts tr.alert[data-alert-id="${alertId}"][data-state=acknowledged]`,
    { timeout: 5000 }).catch(() => {
    throw new Error(`the row of alert ${alertId} did not turn data-state=acknowledged`);
  });
  const j = await world.must(200, 'GET', '/v1/customs/alerts?limit=500', cust);
  const a = (j.alerts || []).find((x) => x.id === alertId);
  if (!a) throw new Error(`GET /v1/customs/alerts does not list ${alertId}`);
  if (a.state !== 'acknowledged') throw new Error(`alert ${alertId} is "${a.state}" on the server`);
}
