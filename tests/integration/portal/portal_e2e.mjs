// End-to-end test of the web portal in headless Debian Chromium, driven by
// playwright-core (no downloaded browser: executablePath /usr/bin/chromium).
//
// Usage: node portal_e2e.mjs SERVER_URL NOTARIZED_FILE TAMPERED_FILE HOUSE
//
// Checks, against a running node that holds NOTARIZED_FILE in HOUSE's archive:
//   1. the page loads in Chinese and pins the consortium keys;
//   2. choosing the notarized file shows 已验证 with every in-browser step passed;
//   3. choosing the tampered file shows 未存证 (not notarized);
//   4. the language toggle switches the page to English and back;
//   5. the house archive (一房一档) lists the document with a verified proof.
// Exit 0 on success; prints "N passed, M failed". A missing Chromium fails.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [server, goodFile, badFile, house] = process.argv.slice(2);
if (!server || !goodFile || !badFile || !house) {
  console.error('usage: node portal_e2e.mjs SERVER_URL NOTARIZED_FILE TAMPERED_FILE HOUSE');
  process.exit(2);
}
const executablePath = process.env.TZ_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`FAIL: Chromium not found at ${executablePath} (deploy/install-deps.sh installs it)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   - ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL - ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const userDataDir = mkdtempSync(path.join(tmpdir(), 'tz-chromium-'));
// A fresh profile each run (Playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = browser.pages()[0] || await browser.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));
page.on('console', (m) => {
  if (m.type() === 'error') consoleErrors.push(m.text());
});
page.setDefaultTimeout(20000);

try {
  await check('portal loads in Chinese and pins the consortium', async () => {
    await page.goto(server + '/');
    await page.waitForSelector('#consortium-info[data-status="ok"]');
    assert((await page.getAttribute('html', 'lang')) === 'zh-CN', 'default language is not zh-CN');
    const tab = await page.textContent('#tab-verify');
    assert(tab.includes('验证'), `verify tab reads "${tab}"`);
  });

  await check('a notarized file is verified in the browser', async () => {
    await page.setInputFiles('#file-input', goodFile);
    await page.waitForSelector('#verify-result[data-status="verified"]');
    const text = await page.textContent('#verify-result');
    assert(text.includes('已验证'), 'no 已验证 in the result');
    const steps = await page.$$eval('#verify-result .steps li.ok', (l) => l.length);
    assert(steps === 4, `${steps} of 4 verification steps passed`);
    assert(text.includes('node1'), 'checkpoint signer not shown');
  });

  await check('a tampered file is shown as not notarized', async () => {
    await page.setInputFiles('#file-input', badFile);
    await page.waitForSelector('#verify-result[data-status="not-notarized"]');
    const text = await page.textContent('#verify-result');
    assert(text.includes('未存证'), 'no 未存证 in the result');
  });

  await check('a file name with control and bidi characters is shown escaped', async () => {
    // Trojan Source: U+202E would make "...\u202Efdp.exe" read as "exe.pdf".
    await page.setInputFiles('#file-input', {
      name: 'invoice\u202Efdp.exe\u2066x\u0007.pdf',
      mimeType: 'application/pdf',
      buffer: readFileSync(badFile),
    });
    await page.waitForSelector('#verify-result[data-status="not-notarized"]');
    const text = await page.textContent('#verify-result');
    assert(!/[\u202e\u2066\u0007]/.test(text), 'a control or bidi character reached the page');
    assert(text.includes('invoice\\u202efdp.exe\\u2066x\\u0007.pdf'), `name not escaped: ${text}`);
  });

  await check('the language toggle switches to English and back', async () => {
    await page.click('#lang-toggle');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const text = await page.textContent('#verify-result');
    assert(text.includes('Not notarized'), `result not in English: ${text.slice(0, 80)}`);
    assert((await page.textContent('#tab-house')).includes('House archive'), 'tab not in English');
    await page.click('#lang-toggle');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    assert((await page.textContent('#tab-house')).includes('一房一档'), 'tab not back in Chinese');
  });

  await check('the house archive shows the document with a verified proof', async () => {
    await page.click('#tab-house');
    await page.fill('#house-input', house);
    await page.click('#house-submit');
    await page.waitForSelector('#house-result[data-status="done"]');
    const verified = await page.$$eval('#house-result .badge[data-proof="verified"]', (l) => l.length);
    const failed = await page.$$eval('#house-result .badge[data-proof="failed"]', (l) => l.length);
    assert(verified >= 1, 'no verified document in the house archive');
    assert(failed === 0, `${failed} documents failed verification`);
  });

  await check('an unknown house shows a clear error or an empty archive', async () => {
    await page.fill('#house-input', 'no-such-house-9');
    await page.click('#house-submit');
    await page.waitForFunction(() => {
      const s = document.querySelector('#house-result').dataset.status;
      return (s === 'error' || s === 'done') &&
        !document.querySelector('#house-result .spinner');
    });
    const text = await page.textContent('#house-result');
    assert(text.length > 0, 'nothing shown for an unknown house');
  });

  await check('no script errors on the page', async () => {
    const real = consoleErrors.filter((e) => !/404|Not Found/i.test(e));
    assert(real.length === 0, real.join('\n'));
  });
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

const passed = results.filter((r) => r[1]).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
