import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from './build-admin-ui.js';

/** Debian's Chromium; the suite never downloads a browser (`.ci/run` installs the package). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
const missingMessage = `Chromium is missing at ${CHROMIUM_PATH}: install the Debian package (apt-get install -y chromium).`;

/** Outside CI a machine without Chromium skips the browser suites (loudly); in CI it fails. */
export const skipBrowserSuites = !chromiumAvailable && !process.env.CI;
if (skipBrowserSuites) console.warn(`[admin e2e] SKIPPED: ${missingMessage}`);

export const requireChromium = () => {
  if (!chromiumAvailable) throw new Error(`[admin e2e] ${missingMessage} (CI is set, so this is a failure, not a skip)`);
};

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-default-apps',
    ],
  });

export const newContext = (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US', colorScheme: 'light', ...options });

interface Problem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http';
  url: string;
  text: string;
}

/**
 * Collects what a user would not want to see in DevTools: console errors, uncaught exceptions,
 * failed requests and HTTP errors. A test allows what it provokes on purpose (`allow`), and
 * `assertClean` fails on anything else.
 */
export class ProblemWatcher {
  private problems: Problem[] = [];
  private allowed: Array<{ url: RegExp; status?: number }> = [];

  constructor(context: BrowserContext) {
    context.on('page', (page) => this.watch(page));
    for (const page of context.pages()) this.watch(page);
  }

  private watch(page: Page) {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      this.problems.push({ kind: 'console', url: message.location().url ?? '', text: message.text() });
    });
    page.on('pageerror', (error) => this.problems.push({ kind: 'pageerror', url: page.url(), text: String(error.stack ?? error) }));
    page.on('requestfailed', (request) => {
      const failure = request.failure()?.errorText ?? 'failed';
      // A fetch cancelled by a navigation, a reload or the playground's stop button is not a failure.
      if (failure.includes('ERR_ABORTED')) return;
      this.problems.push({ kind: 'requestfailed', url: request.url(), text: failure });
    });
    page.on('response', (response) => {
      if (response.status() >= 400) {
        this.problems.push({ kind: 'http', url: response.url(), text: `HTTP ${response.status()} ${response.request().method()}` });
      }
    });
  }

  /** Expect an HTTP error from a matching URL (and the browser's console line about it). */
  allow(url: RegExp, status?: number) {
    this.allowed.push({ url, status });
  }

  private isAllowed(problem: Problem) {
    return this.allowed.some(({ url, status }) => {
      if (!url.test(problem.url)) return false;
      if (problem.kind === 'http') return status === undefined || problem.text.startsWith(`HTTP ${status} `);
      // Chromium's "Failed to load resource: the server responded with a status of 401 (…)".
      if (problem.kind === 'console') {
        return /Failed to load resource/.test(problem.text) && (status === undefined || problem.text.includes(`status of ${status}`));
      }
      return false;
    });
  }

  /** Fails with every unexpected problem seen since the last call, then starts afresh. */
  assertClean(where: string) {
    const unexpected = this.problems.filter((problem) => !this.isAllowed(problem));
    this.problems = [];
    this.allowed = [];
    expect(unexpected.map((p) => `${p.kind} ${p.url}: ${p.text}`), `browser problems during "${where}"`).toEqual([]);
  }
}

export const SCREENSHOT_DIR = join(repoRoot, 'test-results', 'admin');

/** Full-page screenshot under test-results/admin/<name>.png, after fonts and animations settle. */
export const screenshot = async (page: Page, name: string) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  // Mantine notifications pile up in the corner and cover content; hide them for the picture.
  // Hidden, not removed: React still owns those nodes and removes them itself when they close
  // (a node taken away behind its back makes React throw "removeChild … not a child").
  const hideNotifications = (hidden: boolean) =>
    page.evaluate((value) => {
      const id = 'e2e-hide-notifications';
      document.getElementById(id)?.remove();
      if (!value) return;
      const style = document.createElement('style');
      style.id = id;
      style.textContent = '.mantine-Notification-root, .mantine-Notifications-root { visibility: hidden !important; }';
      document.head.append(style);
    }, hidden);
  await hideNotifications(true);
  // Nor should the tooltip of the last button clicked.
  await page.mouse.move(0, 0);
  await page.locator('.mantine-Tooltip-tooltip').first().waitFor({ state: 'detached', timeout: 2_000 }).catch(() => undefined);
  try {
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
  } finally {
    await hideNotifications(false);
  }
};

/** Mantine Select/Combobox: the data-testid is on the <input>; options are named by model key. */
export const chooseOption = async (page: Page, testId: string, option: string) => {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
};

export const navigate = async (page: Page, nav: string, readyTestId: string) => {
  await page.getByTestId(`nav-${nav}`).click();
  await page.getByTestId(readyTestId).first().waitFor();
};

/** Logs in through the form (the page must show it) and waits for the dashboard. */
export const loginThroughForm = async (page: Page, password: string) => {
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('summary-cards').waitFor();
};
