/**
 * Headless Chromium for end-to-end tests: Debian's `chromium` package driven by playwright-core
 * (which downloads nothing). A missing browser fails the test with how to install it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';
import { ROOT } from './cli.js';

/** Where the browser is (Debian's package), unless GATEHOUSE_CHROMIUM names another. */
export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM || '/usr/bin/chromium';

/** Where the tests' screenshots go (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A browser with a fresh profile; `close()` ends it and removes the profile. `httpCredentials` answers HTTP auth prompts as a user would. */
export async function launchChromium(options: { httpCredentials?: { username: string; password: string } } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the console's browser tests need it. Install Debian's package with \`apt-get install -y chromium\` (.ci/run does when it is missing), or set GATEHOUSE_CHROMIUM to a Chromium binary.`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 860 }, timeout: 60_000, ...options });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The path of a screenshot named `name` under test-artifacts/ (the folder is made). */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
