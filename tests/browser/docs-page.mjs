// Opens masthead's interactive docs page (/docs/) in headless Debian Chromium with no network
// beyond the server itself, and checks that:
//   1. the page loads nothing from any other origin (every such request is blocked and reported);
//   2. Swagger UI renders the served /openapi.json without errors;
//   3. every operation (method + path) of /openapi.json is listed on the page;
//   4. a real "Try it out" -> "Execute" of GET /v1/articles shows a live 200 response.
//
// Usage: node docs-page.mjs http://127.0.0.1:PORT
// Env:   CHROMIUM (default /usr/bin/chromium), DOCS_PAGE_TIMEOUT_MS (per step, default 15000),
//        DOCS_PAGE_SCREENSHOT (path for the screenshot; default: a temp file, only on failure;
//        when set, the screenshot is also taken on success).
// Exits 0 on success, 1 on any failed check (with a screenshot path), 2 on bad usage.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const STEP_MS = Number(process.env.DOCS_PAGE_TIMEOUT_MS || 15000);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const log = (msg) => console.log(`docs-page: ${msg}`);

const arg = process.argv[2];
if (!arg) {
  console.error('usage: node docs-page.mjs BASE_URL   (e.g. http://127.0.0.1:8080)');
  process.exit(2);
}
const base = new URL(arg);
const origin = base.origin;
const BASE = origin + base.pathname.replace(/\/+$/, '');

const failures = [];
const external = [];
const consoleErrors = [];
const pageErrors = [];

let context;
let page;
let userDataDir;
let exitCode = 0;

try {
  // The spec, straight from the server: the page must list every operation in it.
  const specRes = await fetch(`${BASE}/openapi.json`);
  if (!specRes.ok) throw new Error(`GET ${BASE}/openapi.json returned ${specRes.status}`);
  const spec = await specRes.json();
  const expected = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of Object.keys(item)) {
      if (METHODS.includes(method)) expected.push(`${method.toUpperCase()} ${path}`);
    }
  }
  if (expected.length === 0) throw new Error('/openapi.json lists no operations');
  log(`spec lists ${expected.length} operations`);

  userDataDir = mkdtempSync(join(tmpdir(), 'masthead-chromium-'));
  // A fresh profile each run (launchPersistentContext is how Playwright takes --user-data-dir).
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // Playwright adds --headless itself; the rest keeps Chromium off Google's services.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
    timeout: 30000,
  });
  context.setDefaultTimeout(STEP_MS);

  // No network but the server: anything else is aborted and makes the test fail.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    let sameOrigin = false;
    try {
      sameOrigin = new URL(url).origin === origin;
    } catch {
      sameOrigin = false;
    }
    if (sameOrigin) return route.continue();
    external.push(url);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(/.*/, (ws) => {
    external.push(`websocket ${ws.url()}`);
    ws.close();
  });

  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const resp = await page.goto(`${BASE}/docs/`, { waitUntil: 'load' });
  if (!resp || !resp.ok()) throw new Error(`GET ${BASE}/docs/ returned ${resp ? resp.status() : 'nothing'}`);

  // Swagger UI has rendered the spec once the title and the operations are there.
  await page.waitForSelector('.swagger-ui .info .title');
  await page.waitForSelector('.swagger-ui .opblock');
  await page.waitForLoadState('networkidle');

  const uiErrors = await page.$$eval('.swagger-ui .errors-wrapper .errors > *, .swagger-ui .loading-container .info',
    (els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()).filter(Boolean));
  for (const e of uiErrors) failures.push(`Swagger UI shows an error: ${e}`);

  // Expand every collapsed tag section so that all operations are in the DOM.
  for (const tag of await page.$$('.swagger-ui .opblock-tag-section:not(.is-open) .opblock-tag')) {
    await tag.click();
  }

  const listed = await page.$$eval('.swagger-ui .opblock', (blocks) =>
    blocks.map((b) => {
      const method = (b.querySelector('.opblock-summary-method')?.textContent || '').trim().toUpperCase();
      const pathEl = b.querySelector('.opblock-summary-path, .opblock-summary-path__deprecated');
      const path = (pathEl?.getAttribute('data-path') || pathEl?.textContent || '').replace(/\u200b/g, '').trim();
      return `${method} ${path}`;
    }));
  const listedSet = new Set(listed);
  const missing = expected.filter((op) => !listedSet.has(op));
  const unexpected = [...listedSet].filter((op) => !expected.includes(op));
  if (missing.length) failures.push(`operations in /openapi.json but not on the page: ${missing.join(', ')}`);
  if (unexpected.length) failures.push(`operations on the page but not in /openapi.json: ${unexpected.join(', ')}`);
  log(`page lists ${listedSet.size} operations (${missing.length} missing)`);

  // A real "Try it out" -> "Execute" of GET /v1/articles.
  const block = page.locator('.swagger-ui .opblock.opblock-get').filter({
    has: page.locator('.opblock-summary-path[data-path="/v1/articles"]'),
  }).first();
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  const execute = block.locator('button.execute');
  await execute.waitFor();
  const [apiResponse] = await Promise.all([
    page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.origin === origin && u.pathname === '/v1/articles' && r.request().method() === 'GET';
    }),
    execute.click(),
  ]);
  const liveStatus = block.locator('.live-responses-table tbody tr.response .response-col_status').first();
  await liveStatus.waitFor();
  const shown = (await liveStatus.textContent()).trim();
  const body = (await block.locator('.live-responses-table tbody tr.response .response-col_description pre').first()
    .textContent().catch(() => '')) || '';
  log(`Try it out GET /v1/articles: server answered ${apiResponse.status()}, page shows "${shown}"`);
  if (!/^200\b/.test(shown)) {
    failures.push(`"Try it out" GET /v1/articles shows status "${shown}" (server answered ${apiResponse.status()}); body: ${body.slice(0, 300)}`);
  } else {
    let items;
    try {
      const parsed = JSON.parse(body);
      items = parsed.items ?? parsed.data ?? parsed;
    } catch {
      items = undefined;
    }
    if (Array.isArray(items) && items.length === 0) {
      failures.push('"Try it out" GET /v1/articles returned 200 but no articles (the seeded article is missing)');
    }
  }

  if (external.length) {
    failures.push(`the page tried to load ${external.length} external resource(s): ${[...new Set(external)].join(', ')}`);
  }
  for (const e of pageErrors) failures.push(`uncaught error in the page: ${e}`);
  if (consoleErrors.length) log(`console errors (not fatal): ${consoleErrors.join(' | ')}`);
} catch (err) {
  failures.push(err && err.stack ? err.stack : String(err));
  if (external.length) failures.push(`external requests blocked: ${[...new Set(external)].join(', ')}`);
}

const wanted = process.env.DOCS_PAGE_SCREENSHOT;
if (page && (failures.length || wanted)) {
  const shot = wanted || join(mkdtempSync(join(tmpdir(), 'masthead-docs-')), 'docs-page.png');
  try {
    await page.screenshot({ path: shot, fullPage: true });
    log(`screenshot: ${shot}`);
  } catch (e) {
    log(`could not take a screenshot: ${e}`);
  }
}
if (context) await context.close().catch(() => {});
if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });

if (failures.length) {
  console.error(`docs-page: FAILED (${failures.length} problem(s)):`);
  for (const f of failures) console.error(`  - ${f}`);
  exitCode = 1;
} else {
  log('passed: no external requests, every operation listed, Try it out GET /v1/articles -> 200');
}
process.exit(exitCode);
