// run.mjs -- the browser tests (make e2e, part of make test): starts a
// private redis-server, bin/dongting-feedsim and bin/dongting (lib.mjs),
// then runs each scenario of scenarios/ in a fresh headless Chromium
// context (Debian's /usr/bin/chromium through playwright-core; never a
// downloaded browser), 1280x800, and saves its screenshot as
// test/e2e/out/NAME.png.  A scenario fails on its own assertion, on any
// console error or uncaught page error, or when a process dies (its log
// tail is printed).  One line per scenario; exit 1 on any failure.
//
//   node test/e2e/run.mjs [NAME...]     only the named scenarios
//   E2E_HEADED=1    show the browser (needs a display)
//   E2E_KEEP=1      keep the processes' logs (the directory is printed)
//   CHROMIUM=PATH   another Chromium binary
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { OUT, World, tail } from './lib.mjs';
import * as tracking from './scenarios/tracking.mjs';
import * as language from './scenarios/language.mjs';
import * as planner from './scenarios/planner.mjs';
import * as customs from './scenarios/customs.mjs';
import * as ops from './scenarios/ops.mjs';

const ALL = [tracking, language, planner, customs, ops];
const SCENARIO_TIMEOUT_MS = 45000;

function chromiumPath() {
  if (process.env.CHROMIUM) {
    if (fs.existsSync(process.env.CHROMIUM)) return process.env.CHROMIUM;
    throw new Error(`no Chromium at CHROMIUM=${process.env.CHROMIUM}`);
  }
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  throw new Error('no Chromium at /usr/bin/chromium (scripts/deps.sh installs it); set CHROMIUM=PATH');
}

const want = process.argv.slice(2);
const unknown = want.filter((n) => !ALL.some((s) => s.name === n));
if (unknown.length) {
  console.error(`e2e: no scenario ${unknown.join(', ')} (have: ${ALL.map((s) => s.name).join(', ')})`);
  process.exit(2);
}
const scenarios = want.length ? ALL.filter((s) => want.includes(s.name)) : ALL;

const world = new World();
let browser = null;
let finished = false;

async function shutdown() {
  if (browser) await browser.close().catch(() => {});
  await world.stop();
  world.cleanup();
}

process.on('exit', () => world.killNow());
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (finished) return;
    finished = true;
    console.error(`e2e: ${sig}, stopping`);
    await shutdown().catch(() => {});
    process.exit(130);
  });
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  })]).finally(() => clearTimeout(t));
}

async function runOne(s) {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 800 }, locale: 'en-US', ...(s.contextOptions || {}),
  });
  ctx.setDefaultTimeout(10000);
  const page = await ctx.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location();
    // Chromium asks for /favicon.ico by itself; the server has none.
    if (loc && /\/favicon\.ico$/.test(loc.url || '')) return;
    errors.push(`console: ${m.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('dialog', (d) => d.accept('e2e').catch(() => {}));
  let err = null;
  try {
    await withTimeout(s.run({ world, page, ctx }), SCENARIO_TIMEOUT_MS, s.name);
  } catch (e) {
    err = e;
  }
  await page.screenshot({ path: path.join(OUT, `${s.name}.png`) }).catch(() => {});
  await ctx.close().catch(() => {});
  try {
    world.checkAlive();
  } catch (e) {
    err = err ? new Error(`${err.message}\n${e.message}`) : e;
  }
  if (!err && errors.length) err = new Error(`${errors.length} browser error(s):\n  ${errors.join('\n  ')}`);
  else if (err && errors.length) err.message += `\n  browser errors:\n  ${errors.join('\n  ')}`;
  return err;
}

async function main() {
  const t0 = Date.now();
  fs.mkdirSync(OUT, { recursive: true });
  const notes = [];
  let exe;
  try {
    exe = chromiumPath();
  } catch (e) {
    console.error(`e2e: ${e.message}`);
    return 1;
  }
  world.shot = (n) => path.join(OUT, `${n}.png`);
  world.note = (s) => notes.push(s);
  try {
    await world.start();
  } catch (e) {
    console.error(`e2e: could not start: ${e.message}`);
    return 1;
  }
  console.log(`e2e: server ${world.base}, simulator ${world.simBase}, ready in ` +
              `${((Date.now() - t0) / 1000).toFixed(1)} s`);
  browser = await chromium.launch({
    executablePath: exe,
    headless: !process.env.E2E_HEADED,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  let failed = 0;
  for (const s of scenarios) {
    const t = Date.now();
    const err = await runOne(s);
    if (finished) break; // interrupted: the signal handler stops everything
    const secs = ((Date.now() - t) / 1000).toFixed(1);
    if (err) {
      failed++;
      // playwright's messages carry terminal colours
      console.log(`FAIL ${s.name} (${secs} s): ${err.message.replace(/\x1b\[[0-9;]*m/g, '')}`);
    } else {
      console.log(`PASS ${s.name} (${secs} s)`);
    }
    if (world.server.exited !== null) {
      const left = scenarios.length - scenarios.indexOf(s) - 1;
      if (left) console.log(`e2e: dongting is gone; ${left} scenario(s) not run`);
      failed += left;
      break;
    }
  }
  for (const n of notes) console.log(`  note: ${n}`);
  if (failed && process.env.E2E_KEEP) console.log(`e2e: logs kept in ${world.dir}`);
  else if (failed && world.server.exited === null) console.log(`e2e: last lines of the server log:\n${tail(world.server.log, 15)}`);
  console.log(`e2e: ${scenarios.length - failed}/${scenarios.length} passed in ` +
              `${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in test/e2e/out/`);
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`e2e: ${e.stack || e.message}`);
} finally {
  if (!finished) {
    finished = true;
    await shutdown().catch(() => {});
  }
}
process.exit(code);
