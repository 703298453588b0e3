import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../../src/config/env.js';
import { DEMO_KEY, startDemo, type DemoGateway } from '../../src/demo/start-demo.js';
import { launchBrowser, newContext, ProblemWatcher, requireChromium, screenshot, skipBrowserSuites } from './support/browser.js';
import { ensureAdminUiBuilt } from './support/build-admin-ui.js';

const TIMEOUT = 120_000;

/** The console over `serve --demo`: signed in with the demo key, every page works without a vendor key. */
describe.skipIf(skipBrowserSuites)('admin console in Chromium: demo mode', () => {
  let root: string;
  let demo: DemoGateway;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watcher: ProblemWatcher;

  beforeAll(async () => {
    requireChromium();
    await ensureAdminUiBuilt();
    root = mkdtempSync(join(tmpdir(), 'skgw-e2e-demo-'));
    const settings = readRuntimeSettings({ GATEWAY_DATA_DIR: root }, { port: 0 });
    [demo, browser] = await Promise.all([startDemo({ settings, env: {}, logger: pino({ level: 'silent' }) }), launchBrowser()]);
    await demo.gateway.app.listen({ host: '127.0.0.1', port: 0 });
    const address = demo.gateway.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    context = await newContext(browser);
    watcher = new ProblemWatcher(context);
    page = await context.newPage();
    // Generous: this suite walks every page of the console on a shared, loaded machine.
    page.setDefaultTimeout(30_000);
  }, 90_000);
  afterEach((test) => watcher?.assertClean(test.task.name));
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await demo?.gateway.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('shows the demo banner on the login page, and the demo key opens the console', { timeout: TIMEOUT }, async () => {
    await page.goto(`${base}/admin/login`);
    const banner = page.getByTestId('demo-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('sk-demo');
    await screenshot(page, 'demo-login');
    await page.getByTestId('login-password').fill(DEMO_KEY);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-dashboard').waitFor();
    expect(await page.getByTestId('demo-banner').textContent()).toMatch(/Demo mode.*simulator/);
  });

  it('lists the demo models and provider, and answers in the playground', { timeout: TIMEOUT }, async () => {
    for (const path of ['/models', '/providers', '/keys', '/logs', '/']) {
      await page.goto(`${base}/admin${path}`);
      await page.getByTestId('demo-banner').waitFor();
    }
    await page.goto(`${base}/admin/models`);
    await page.getByText('demo-embedding').first().waitFor();
    await page.goto(`${base}/admin/playground`);
    await expect.poll(() => page.getByTestId('playground-model').getAttribute('data-value')).toBe('Demo/demo-chat');
    await page.getByTestId('playground-send').click();
    await page.locator('[data-testid="playground-output"][data-status="done"]').waitFor();
    expect(await page.getByTestId('playground-output').textContent()).toBe('Simulated reply from demo-chat.');
    await screenshot(page, 'demo-playground');
  });
});
