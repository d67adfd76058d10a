import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startLocalServer } from '../helpers/local-server.ts';

// Debian's chromium (installed by .ci/run), never a browser download.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** The real local-mode composition, as `npm start` builds it, with a workflow that takes 1.5 s. */
async function startServer(t: Test) {
  const server = await startLocalServer({ LOCAL_WORKFLOW_DURATION_MS: '1500' });
  t.teardown(() => server.close());
  return server.base;
}

/**
 * Polls an expression in the page. Not page.waitForFunction: its string predicates run through eval,
 * which the page's CSP (rightly) forbids; page.evaluate goes through the debugger protocol instead.
 */
async function until(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await page.waitForTimeout(50);
  }
}

/** Reads the progress bar and stage name every 50 ms until the bar is full, recording what it showed. */
async function followProgress(page: Page, timeoutMs: number) {
  const values = new Set<number>();
  const stages = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    values.add(Number(await page.locator('#progress').getAttribute('value')));
    stages.add((await page.locator('#stage').textContent()) ?? '');
    if (values.has(100)) break;
    await page.waitForTimeout(50);
  }
  return { values: [...values], stages: [...stages].filter(Boolean) };
}

t.test('the try-it page signs in, creates a job, shows live progress and plays the video', {
  timeout: 90_000,
  skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
}, async (t) => {
  const base = await startServer(t);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    // Chromium logs every 4xx fetch; the one 400 below is provoked on purpose.
    if (message.type() === 'error' && !message.text().includes('status of 400')) problems.push(`console: ${message.text()}`);
  });

  const response = await page.goto(`${base}/`);
  t.equal(response?.status(), 200);
  t.match(response?.headers()['content-security-policy'], /script-src 'self'/);

  await page.getByLabel('Your name').fill('browser-test');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as browser-test', { exact: false }).first().waitFor();
  await page.getByText('0 of 10 jobs used this month').waitFor();

  // The contract's validation error, in plain words, pointing at the field.
  await page.getByLabel('Prompt').fill('Too short');
  await page.getByRole('button', { name: 'Generate video' }).click();
  await page.getByRole('status').getByText('Please check the prompt').waitFor();
  t.equal(await page.getByLabel('Prompt').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('Prompt').fill('A neon city at night, synthwave, slow camera pan');
  t.equal(await page.locator('#prompt-count').textContent(), '48 of 500 characters', 'live character count');
  await page.getByLabel('Category').selectOption('music-video');
  // The model's choices come from GET /models; a vertical clip, 5 s, priced before it is made.
  await page.getByLabel('Model').selectOption({ label: 'Kling 2.5 Turbo Pro' });
  await page.getByLabel('Aspect ratio').selectOption('9:16');
  await page.getByLabel('Duration').selectOption('5');
  await page.getByText('Kling 2.5 Turbo Pro: about $0.350 for 5 s').waitFor();
  // An optional start image: previewed at once, uploaded through POST /uploads when the job is created.
  await page.locator('#start-image').setInputFiles('test/media/fixtures/start-image.jpg');
  await until(page, "(() => { const i = document.getElementById('start-image-preview'); return !i.hidden && i.complete && i.naturalWidth === 480; })()", 10_000);
  await page.getByRole('button', { name: 'Generate video' }).click();

  const seen = await followProgress(page, 20_000);
  t.ok(seen.values.includes(100), `the progress bar reached 100 (saw ${seen.values.join(', ')})`);
  t.ok(seen.values.some((v) => v > 0 && v < 100), 'and moved through values in between, live');
  t.ok(seen.stages.length >= 3, `stage names moved: ${seen.stages.join(' → ')}`);

  await until(page, "(() => { const v = document.querySelector('video'); return !v.hidden && v.readyState >= 1 && v.duration > 0; })()", 20_000);
  const duration = await page.evaluate("document.querySelector('video').duration");
  t.ok(Number(duration) > 0, `the video loads and has a duration (${String(duration)} s)`);
  await page.getByRole('status').getByText('Your video is ready').waitFor();
  await page.locator('#jobs .badge-completed').first().waitFor();
  await page.getByText('1 of 10 jobs used this month, $0.350 spent').waitFor();
  await page.locator('#jobs .job-meta', { hasText: '5 s 9:16' }).filter({ hasText: '$0.350' }).waitFor();
  t.equal(await page.evaluate("document.querySelector('video').videoHeight > document.querySelector('video').videoWidth"), true, 'the 9:16 sample plays');
  // "Your jobs" shows the completed job's thumbnail (a signed URL on PUBLIC_URL).
  await until(page, "(() => { const i = document.querySelector('#jobs img.job-thumbnail'); return !!i && !i.hidden && i.complete && i.naturalWidth > 0; })()", 10_000);

  // Show a frame rather than a black box in the screenshot.
  await page.evaluate("(() => { const v = document.querySelector('video'); v.currentTime = 1.5; })()");
  await until(page, "document.querySelector('video').readyState >= 2 && !document.querySelector('video').seeking", 10_000);
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'try-it.png'), fullPage: true });
  t.same(problems, [], 'no script errors or CSP violations in the page');
});
