import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startHarness, type Harness, type HarnessOptions } from '../../../src/test-support/gateway-harness.js';
import { launchBrowser, newContext, ProblemWatcher, requireChromium } from './browser.js';
import { ensureAdminUiBuilt } from './build-admin-ui.js';

export const ADMIN_PASSWORD = 'e2e-admin-password';

export interface ConsoleSuite {
  harness: Harness;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  watcher: ProblemWatcher;
  /** The console's URL on the current harness (its port changes on restart). */
  admin(path?: string): string;
}

/**
 * One test file = one gateway (real server over a temp config, SQLite and the simulator), one
 * Chromium and one fresh context (new profile) whose page the tests share, logged in or not.
 * Every test ends by checking that the browser saw no unexpected error.
 */
export const useConsoleSuite = (
  options: { harness?: HarnessOptions; context?: BrowserContextOptions; /** Start with a session (the login form is tested elsewhere). */ login?: boolean } = {},
): ConsoleSuite => {
  const suite = {} as ConsoleSuite;
  suite.admin = (path = '') => `${suite.harness.url}/admin${path}`;

  beforeAll(async () => {
    requireChromium();
    await ensureAdminUiBuilt();
    const [harness, browser] = await Promise.all([
      startHarness({ ...options.harness, settings: { adminPassword: ADMIN_PASSWORD, masterKey: undefined, ...options.harness?.settings } }),
      launchBrowser(),
    ]);
    suite.harness = harness;
    suite.browser = browser;
    suite.context = await newContext(browser, options.context);
    suite.watcher = new ProblemWatcher(suite.context);
    suite.page = await suite.context.newPage();
    suite.page.setDefaultTimeout(15_000);
    if (options.login) {
      // The context's request API shares the browser's cookie jar: the page starts signed in.
      const response = await suite.context.request.post(`${harness.url}/admin/auth/login`, { data: { password: ADMIN_PASSWORD } });
      if (response.status() !== 200) throw new Error(`admin login failed: ${response.status()} ${await response.text()}`);
    }
  }, 90_000);

  afterEach((context) => {
    if (suite.watcher) suite.watcher.assertClean(context.task.name);
  });

  afterAll(async () => {
    await suite.context?.close().catch(() => undefined);
    await suite.browser?.close().catch(() => undefined);
    await suite.harness?.close();
  });

  return suite;
};
