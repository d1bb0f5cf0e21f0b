/**
 * Headless Chromium for the tests of pages a person looks at (the HTML
 * report, the demo storefront): Debian's chromium through playwright-core,
 * with a throwaway profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Where the tests save their screenshots (CI keeps this folder). */
export const TEST_OUTPUT = path.resolve(__dirname, '..', '..', 'test-output');

/**
 * The environment for the browser: node's own, without the sanitizer
 * runtime that scripts/sanitize.sh preloads into node (the browser is not
 * ours to instrument).
 */
function browserEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'LD_PRELOAD' && !k.endsWith('SAN_OPTIONS')) env[k] = v;
  return env;
}

export interface HeadlessBrowser {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export async function launchHeadlessChromium(): Promise<HeadlessBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'mfrec-chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
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
    viewport: { width: 1280, height: 900 },
    env: browserEnv(),
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
