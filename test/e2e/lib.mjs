// lib.mjs -- the world the browser tests run in: a private redis-server, the
// carrier feed simulator (bin/dongting-feedsim) and bin/dongting, each on a
// free loopback port, started from the repository root so that the shipped
// geodata/ and server/web/ are used; keys made with a random bootstrap admin
// key; small HTTP helpers for the API (node's fetch) and the page helpers
// the scenarios share (logging in through the header's key box, filling a
// field that may be an input or a select).  run.mjs drives it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT = path.join(ROOT, 'test/e2e/out');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

/* A port the kernel says is free now (a race with other processes is
 * possible but rare; the start-up retries once on a bind failure). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/* True when the redis on PORT is process PID (and not another one that
 * took the port first): INFO server names its process_id. */
function redisIs(port, pid) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (v) => { c.destroy(); resolve(v); };
    c.setTimeout(500, () => done(false));
    c.on('error', () => done(false));
    c.on('connect', () => c.write('INFO server\r\n'));
    c.on('data', (d) => {
      buf += d;
      const m = buf.match(/process_id:(\d+)/);
      if (m) done(Number(m[1]) === pid);
    });
  });
}

/* The last N lines of FILE, for a failure message. */
export function tail(file, n = 40) {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch (e) {
    return `(no ${file}: ${e.message})`;
  }
}

export class World {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dongting-e2e-'));
    this.procs = []; // {name, child, log, exited}
    this.stopping = false;
    this.adminKey = randomBytes(32).toString('hex');
    this.keys = {};
  }

  _spawn(name, cmd, args, opts = {}) {
    const log = path.join(this.dir, `${name}.log`);
    const fd = fs.openSync(log, 'a');
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: ['ignore', opts.pipeStdout ? 'pipe' : fd, fd],
      env: { ...process.env, ...(opts.env || {}) },
    });
    fs.closeSync(fd);
    const p = { name, child, log, exited: null };
    child.on('exit', (code, sig) => { p.exited = sig || String(code); });
    child.on('error', (e) => { p.exited = `spawn error: ${e.message}`; });
    this.procs.push(p);
    return p;
  }

  /* Throws naming the first process that died, with its log tail. */
  checkAlive() {
    for (const p of this.procs) {
      if (p.exited !== null && !this.stopping) {
        throw new Error(`${p.name} exited (${p.exited}); last lines of ${p.log}:\n${tail(p.log)}`);
      }
    }
  }

  async start() {
    const bin = process.env.DONGTING_BIN || path.join(ROOT, 'bin/dongting');
    const simBin = process.env.DONGTING_FEEDSIM_BIN || path.join(ROOT, 'bin/dongting-feedsim');
    for (const b of [bin, simBin]) {
      if (!fs.existsSync(b)) throw new Error(`${b} is missing: run make all first`);
    }

    // Redis: in memory only; another port if the first was taken meanwhile.
    for (let attempt = 0; ; attempt++) {
      this.redisPort = await freePort();
      this.redis = this._spawn('redis', 'redis-server', [
        '--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no', '--dir', this.dir, '--daemonize', 'no']);
      let i = 0;
      while (this.redis.exited === null && !(await redisIs(this.redisPort, this.redis.child.pid))) {
        if (++i > 100) throw new Error(`redis-server did not answer in 5 s:\n${tail(this.redis.log)}`);
        await sleep(50);
      }
      if (this.redis.exited === null) break;
      if (attempt === 0 && /in use/.test(tail(this.redis.log, 5))) {
        this.procs = this.procs.filter((p) => p !== this.redis);
        continue;
      }
      this.checkAlive();
    }

    // The feed simulator: two simulated days of history at 600x, then real
    // time; it names its port on stdout.
    this.sim = this._spawn('feedsim', simBin,
      ['--port', '0', '--start-ago', 'P2D', '--speed', '600'], { pipeStdout: true });
    this.simBase = await new Promise((resolve, reject) => {
      let buf = '';
      const t = setTimeout(() => reject(new Error(
        `the feed simulator did not start in 15 s:\n${tail(this.sim.log)}`)), 15000);
      this.sim.child.stdout.on('data', (d) => {
        buf += d;
        const m = buf.match(/feedsim listening on (127\.0\.0\.1:\d+)/);
        if (m) { clearTimeout(t); resolve(`http://${m[1]}`); }
      });
      this.sim.child.on('exit', () => {
        clearTimeout(t);
        reject(new Error(`the feed simulator exited:\n${tail(this.sim.log)}`));
      });
    });
    this.sim.child.stdout.resume();

    // The five feeds, pulled from the simulator (as scripts/run.sh does).
    const conf = path.join(this.dir, 'dongting.conf');
    const s = this.simBase;
    fs.writeFileSync(conf, [
      '# written by test/e2e/lib.mjs',
      'feed.chenglingji.format = dcsa-tnt', `feed.chenglingji.url = ${s}/dcsa/v2/events?limit=1000`,
      'feed.chenglingji.interval = 5',
      'feed.sanhe.format = iata-cargo-imp', `feed.sanhe.url = ${s}/iata/cargo-imp`,
      'feed.sanhe.interval = 5',
      'feed.sanhe-1r.format = one-record', `feed.sanhe-1r.url = ${s}/one-record/events`,
      'feed.sanhe-1r.interval = 5',
      'feed.rail.format = rail-events', `feed.rail.url = ${s}/rail/events`,
      'feed.rail.interval = 5',
      'feed.rail-rt.format = gtfs-rt', `feed.rail-rt.url = ${s}/gtfs-rt/trip-updates`,
      'feed.rail-rt.interval = 5', ''].join('\n'));

    // The server; a second try on another port if the first one was taken.
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort();
      this.base = `http://127.0.0.1:${this.port}`;
      this.server = this._spawn('dongting', bin, [
        '--config', conf, '--listen', `127.0.0.1:${this.port}`,
        '--redis', `127.0.0.1:${this.redisPort}`, '--admin-key', this.adminKey,
        '--public-rate-limit-rps', '0', '--rate-limit-rps', '0'],
      { env: { DONGTING_CONFIG: '', DONGTING_ADMIN_KEY: '' } });
      const ok = await this._waitReady(15000);
      if (ok) break;
      if (this.server.exited !== null && attempt === 0 &&
          /bind|address already in use/i.test(tail(this.server.log, 5))) {
        this.procs = this.procs.filter((p) => p !== this.server);
        continue;
      }
      this.checkAlive();
      throw new Error(`dongting was not ready in 15 s:\n${tail(this.server.log)}`);
    }

    // Keys: a forwarder, a customs officer and a consignee.
    for (const [role, tenant] of [['forwarder', 'acme'], ['customs', 'yueyang-customs'],
      ['consignee', 'demo-consignee']]) {
      const r = await this.api('POST', '/v1/keys', this.adminKey,
        { role, tenant, name: `e2e ${role}` });
      if (r.status !== 201 || !r.json || !r.json.key) {
        throw new Error(`POST /v1/keys (${role}): ${r.status} ${r.text.slice(0, 300)}`);
      }
      this.keys[role] = r.json.key;
    }
    this.keys.admin = this.adminKey;
  }

  async _waitReady(ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.server.exited !== null) return false;
      try {
        const r = await fetch(`${this.base}/readyz`);
        await r.arrayBuffer();
        if (r.status === 200) return true;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    return false;
  }

  /* METHOD PATH with bearer KEY (null: none) and BODY (object: JSON,
   * string: as is with CTYPE); {status, text, json}. */
  async api(method, p, key, body, ctype) {
    const headers = {};
    if (key) headers.Authorization = `Bearer ${key}`;
    let data;
    if (body !== undefined && body !== null) {
      data = typeof body === 'string' ? body : JSON.stringify(body);
      headers['Content-Type'] = ctype || 'application/json';
    }
    const r = await fetch(p.startsWith('http') ? p : this.base + p, { method, headers, body: data });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, text, json };
  }

  /* The same, failing unless the status is WANT. */
  async must(want, method, p, key, body, ctype) {
    const r = await this.api(method, p, key, body, ctype);
    if (r.status !== want) {
      throw new Error(`${method} ${p}: want ${want}, got ${r.status}: ${r.text.slice(0, 400)}`);
    }
    return r.json;
  }

  /* Push DCSA events (objects) to the chenglingji feed as the admin. */
  async pushDcsa(events) {
    return this.must(202, 'POST', '/v1/feeds/chenglingji/events', this.adminKey, events);
  }

  /* SIGTERM to everything still running (server first), SIGKILL after 3 s. */
  async stop() {
    this.stopping = true;
    const order = ['dongting', 'feedsim', 'redis'];
    for (const name of order) {
      for (const p of this.procs.filter((x) => x.name === name && x.exited === null)) {
        p.child.kill('SIGTERM');
        const t0 = Date.now();
        while (p.exited === null && Date.now() - t0 < 3000) await sleep(20);
        if (p.exited === null) p.child.kill('SIGKILL');
      }
    }
  }

  /* Last resort on process exit: synchronous SIGKILL. */
  killNow() {
    for (const p of this.procs) if (p.exited === null) { try { p.child.kill('SIGKILL'); } catch { /* gone */ } }
  }

  cleanup() {
    if (process.env.E2E_KEEP) return;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/* ---- helpers for the pages ------------------------------------------------ */

/* Load PATH of the server in PAGE; fail unless it answers 200. */
export async function open(page, world, p) {
  const r = await page.goto(world.base + p);
  if (!r || r.status() !== 200) {
    throw new Error(`GET ${p.replace(/token=[^&]*/, 'token=…')} answered ${r ? r.status() : 'nothing'}` +
                    ' (is the page in server/web/?)');
  }
  return r;
}

/* Type KEY into the header's key box and submit; wait until #dt-who names ROLE. */
export async function login(page, key, role) {
  await page.fill('#dt-key', key);
  await page.press('#dt-key', 'Enter');
  await page.waitForFunction((r) => {
    const w = document.getElementById('dt-who');
    return w && w.textContent.includes(r);
  }, role, { timeout: 5000 }).catch(async () => {
    const who = await page.textContent('#dt-who').catch(() => '(no #dt-who)');
    throw new Error(`after entering the ${role} key, #dt-who shows "${who}"`);
  });
}

/* Set field SEL to VALUE whether it is an input, a textarea or a select. */
export async function setField(page, sel, value) {
  const tag = await page.$eval(sel, (e) => e.tagName);
  if (tag === 'SELECT') await page.selectOption(sel, String(value));
  else await page.fill(sel, String(value));
}

/* Submit FORM (a selector) by its submit button, or requestSubmit(). */
export async function submit(page, form) {
  const btn = await page.$(`${form} button[type=submit], ${form} input[type=submit], ` +
                           `${form} button:not([type])`);
  if (btn) await btn.click();
  else await page.$eval(form, (f) => f.requestSubmit());
}

/* Wait until at least N elements match SEL; fail with MSG. */
export async function atLeast(page, sel, n, msg, timeout = 10000) {
  try {
    await page.waitForFunction(([s, k]) => document.querySelectorAll(s).length >= k,
      [sel, n], { timeout });
  } catch {
    const got = await page.$$eval(sel, (l) => l.length).catch(() => 0);
    throw new Error(`${msg}: want at least ${n} of ${sel}, found ${got} after ${timeout / 1000} s`);
  }
  return page.$$eval(sel, (l) => l.length);
}

/* A DCSA 2.2 EQUIPMENT event, actual (test/integration/test_waybills.c dcsa()). */
export function dcsaEquipment({ id, container, bl, code, time, loc, voyage = 'V01E' }) {
  return {
    eventID: id,
    eventCreatedDateTime: time,
    eventType: 'EQUIPMENT',
    eventClassifierCode: 'ACT',
    eventDateTime: time,
    equipmentEventTypeCode: code,
    equipmentReference: container,
    emptyIndicatorCode: 'LADEN',
    eventLocation: { UNLocationCode: loc.slice(0, 5) },
    transportCall: {
      transportCallID: `tc-${id}`, UNLocationCode: loc.slice(0, 5), modeOfTransport: 'BARGE',
      carrierServiceCode: 'YY1', exportVoyageNumber: voyage, importVoyageNumber: voyage,
      transportCallSequenceNumber: 1, facilityTypeCode: 'POTE',
    },
    documentReferences: [{ documentReferenceType: 'TRD', documentReferenceValue: bl }],
  };
}

/* ISO 8601 of D in China time (+08:00), seconds precision. */
export function isoCST(d) {
  const t = new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 19);
  return `${t}+08:00`;
}

/* The first itinerary from FROM to TO leaving from tomorrow 08:00 China
 * time on within a week (MODES optional), with at most MAXLEGS legs that
 * all name a trip; {depart (the query's ISO), itinerary} or null. */
export async function findRoute(world, from, to, { modes, maxLegs = 9, key } = {}) {
  const day = new Date(Date.now() + 24 * 3600e3);
  for (let i = 0; i < 7; i++) {
    const d = new Date(day.getTime() + i * 24 * 3600e3);
    const depart = `${isoCST(d).slice(0, 10)}T08:00:00+08:00`;
    const q = new URLSearchParams({ from, to, depart });
    if (modes) q.set('modes', modes);
    const r = await world.api('GET', `/v1/routes?${q}`, key || world.keys.forwarder);
    const its = (r.json && r.json.itineraries) || [];
    const it = its.find((x) => x.legs.length <= maxLegs &&
      (!modes || x.legs.every((l) => l.trip_id)));
    if (r.status === 200 && it) return { depart, itinerary: it };
  }
  return null;
}
