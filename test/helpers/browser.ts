/**
 * Debian's Chromium, headless, through playwright-core (never a downloaded browser): CI
 * installs it (.ci/run); a machine without it fails the test that needs it, saying so.
 * Every launch gets a fresh profile folder, removed on close; network features that call
 * home are off, so any request a page makes is its own.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { makeTempDir } from './temp.js';

const CHROMIUM = '/usr/bin/chromium';

export interface HeadlessBrowser {
  /** A context with the network off (offline): a page can fetch nothing, and tests also watch for attempts. */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does it) to test the HTML report`);
  }
  const profile = await makeTempDir('chromium-profile');
  try {
    // The fresh --user-data-dir, as playwright takes it.
    const context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM,
      headless: true,
      offline: true,
      viewport: { width: 1000, height: 800 },
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
    });
    return {
      context,
      close: async () => {
        await context.close().catch(() => {});
        await profile.remove();
      },
    };
  } catch (err) {
    await profile.remove();
    throw err;
  }
}
