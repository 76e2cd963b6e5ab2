/**
 * The HTML report (README "Results") in a real browser: Debian's Chromium, headless, with
 * the network off. Each chart must have data points, the page must make no request
 * besides its own file, and it must not be blank. Pages from `replay --html`, from
 * `report results --html`, and from a JSON report (no charts then).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import { launchChromium, type HeadlessBrowser } from './helpers/browser.js';
import { runCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp.js';
import { downloadRecord, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, writeNdjson } from './helpers/replay.js';

const CHARTS = ['chart-rate', 'chart-latency', 'chart-failures', 'chart-histogram'];

/** Per chart: the points of its lines and its bars. */
const COUNT_POINTS = `(() => {
  const out = {};
  for (const chart of document.querySelectorAll('[data-chart]')) {
    let points = 0;
    for (const line of chart.querySelectorAll('polyline[data-points]')) points += (line.getAttribute('points') || '').trim().split(/\\s+/).filter(Boolean).length;
    points += chart.querySelectorAll('rect[data-bar]').length;
    out[chart.getAttribute('data-chart')] = points;
  }
  return out;
})()`;

/** Distinct colours among sampled pixels of a PNG (a blank page has one or two). */
const COUNT_COLOURS = `async (b64) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + b64;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length && seen.size < 50; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  return seen.size;
}`;

interface PageFacts {
  charts: Record<string, number>;
  requests: string[];
  text: string;
  screenshotBytes: number;
  distinctColors: number;
}

async function look(browser: HeadlessBrowser, file: string): Promise<PageFacts> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Browser-side code as text: this project compiles without the DOM's types.
    const charts = await page.evaluate<Record<string, number>>(COUNT_POINTS);
    const text = await page.evaluate<string>('document.body.innerText');
    const shot = await page.screenshot({ fullPage: true });
    const distinctColors = await page.evaluate<number>(`(${COUNT_COLOURS})(${JSON.stringify(shot.toString('base64'))})`);
    return { charts, requests, text, screenshotBytes: shot.length, distinctColors };
  } finally {
    await page.close();
  }
}

describe('the HTML report in headless Chromium, offline', () => {
  let receiver: Receiver;
  let dir: string;
  let remove: () => Promise<void>;
  let browser: HeadlessBrowser;

  before(async () => {
    ({ dir, remove } = await makeTempDir('html-report'));
    browser = await launchChromium();
    receiver = await startReceiver({ port: 0, failRate: 0.2, seed: 5, credentials: { statSecret: STAT_SECRET } });
    const records = [];
    for (let i = 0; i < 30; i++) records.push(sudRecord(i), statRecord(i), downloadRecord(i));
    const input = await writeNdjson(path.join(dir, 'mixed.ndjson'), records);
    // Paced, with retries and failures: every chart has something to show.
    const r = await runCli([
      'replay', input, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY,
      '--rate', '100', '--retries', '1', '--retry-delay', '5ms', '--threshold', 'p99<60000',
      '--results', path.join(dir, 'r.ndjson'), '--html', path.join(dir, 'run.html'), '--report', path.join(dir, 'run.json'), '-q',
    ]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await remove?.();
  });

  for (const [name, make] of [
    ['replay --html', async () => path.join(dir, 'run.html')],
    [
      'report results --html',
      async () => {
        const out = path.join(dir, 'again.html');
        const r = await runCli(['report', path.join(dir, 'r.ndjson'), '--html', out, '-q']);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        return out;
      },
    ],
  ] as const) {
    test(`${name}: every chart has data points, no request is made, the page is not blank`, async () => {
      const file = await make();
      const facts = await look(browser, file);
      for (const chart of CHARTS) assert.ok((facts.charts[chart] ?? 0) > 0, `${chart} has data points: ${JSON.stringify(facts.charts)}`);
      assert.deepEqual(facts.requests, [pathToFileURL(file).href], 'the page loads nothing but itself');
      assert.ok(facts.distinctColors > 5, `the screenshot has ${facts.distinctColors} colours`);
      assert.match(facts.text, /Summary/);
      assert.match(facts.text, /stat\.push_data/);
      const html = readFileSync(file, 'utf8');
      assert.doesNotMatch(html, /<script|https?:\/\/(?!127\.0\.0\.1)/, 'no script, no link out');
      assert.ok(!html.includes(STAT_SECRET) && !html.includes(SESSION_KEY), 'no secret in the page');
      assert.ok(statSync(file).size < 500_000);
    });
  }

  test('replay --html shows the thresholds with pass/fail and the command with its secrets masked', async () => {
    const facts = await look(browser, path.join(dir, 'run.html'));
    assert.match(facts.text, /p99<60000\s+[\d.,]+\s+pass/);
    assert.match(facts.text, /--stat-secret \*\*\* --stat-session-key \*\*\*/);
  });

  test('a JSON report renders too, without charts', async () => {
    const out = path.join(dir, 'from-json.html');
    const r = await runCli(['report', path.join(dir, 'run.json'), '--html', out, '-q']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const facts = await look(browser, out);
    assert.deepEqual(facts.charts, {});
    assert.match(facts.text, /No time series/);
    assert.match(facts.text, /stat\.push_data/);
    assert.deepEqual(facts.requests, [pathToFileURL(out).href]);
  });
});
