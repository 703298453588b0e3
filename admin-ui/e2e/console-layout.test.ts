import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 240_000;
const WIDTHS = [1440, 1024, 390] as const;
const LANGUAGES = ['en', 'zh-CN'] as const;
/** Every page of the console, with an element that is there once its data has loaded. */
const PAGES = [
  { id: 'dashboard', path: '/', ready: '[data-testid="top-key"] table' },
  { id: 'models', path: '/models', ready: '[data-testid="models-table"]' },
  { id: 'providers', path: '/providers', ready: '[data-testid="providers-list"]' },
  { id: 'playground', path: '/playground', ready: '[data-testid="playground-tab-language"]' },
  { id: 'keys', path: '/keys', ready: '[data-testid="keys-table"]' },
  { id: 'logs', path: '/logs', ready: '[data-testid="logs-table"]' },
  { id: 'settings', path: '/settings', ready: '[data-testid="audit-table"], [data-testid="settings-platform-name"]' },
] as const;

/**
 * Text a user cannot read: a badge, table header or navigation label whose content is wider
 * than its box (cut off or ellipsised), a table header or badge whose text wraps onto more
 * lines than it has words ("请求数" one character a line), and a page wider than the window.
 * Only visible elements count (a collapsed navbar is not clipped text).
 */
const findClippedText = (page: Page) =>
  page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const describe = (el: Element) => `${el.className.toString().split(' ')[0] || el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 60)}"`;
    const lineCount = (el: Element) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const tops = new Set<number>();
      for (const rect of Array.from(range.getClientRects())) if (rect.width > 0) tops.add(Math.round(rect.top));
      return tops.size;
    };
    const selectors = ['.mantine-Badge-label', '.mantine-NavLink-label', 'th', '.mantine-SegmentedControl-label', '.mantine-Tabs-tabLabel'];
    for (const el of Array.from(document.querySelectorAll(selectors.join(',')))) {
      if (!visible(el)) continue;
      const text = (el.textContent ?? '').trim();
      if (!text) continue;
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`clipped ${describe(el)} (${el.scrollWidth}px of text in ${el.clientWidth}px)`);
      if (el.tagName === 'TH' || el.classList.contains('mantine-Badge-label')) {
        const words = text.split(/\s+/).length;
        const lines = lineCount(el);
        if (lines > words) problems.push(`wrapped ${describe(el)} onto ${lines} lines`);
      }
    }
    // A column cut off by its card (the dashboard's top tables lost "Cost" this way).
    for (const card of Array.from(document.querySelectorAll('[data-testid^="top-"]'))) {
      const box = card.getBoundingClientRect();
      for (const th of Array.from(card.querySelectorAll('th'))) {
        const rect = th.getBoundingClientRect();
        if (rect.right > box.right + 1 || rect.left < box.left - 1) problems.push(`column ${describe(th)} is outside its card`);
      }
    }
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) problems.push(`page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
    return problems;
  });

/** Traffic so that the dashboard's top tables, the logs and the keys page have rows. */
const seedTraffic = async (s: ReturnType<typeof useConsoleSuite>) => {
  const me = await s.context.request.get(`${s.harness.url}/admin/auth/me`);
  const { csrfToken } = (await me.json()) as { csrfToken: string };
  const created = await s.context.request.post(`${s.harness.url}/admin/api/keys`, {
    data: { name: 'layout-key-with-a-rather-long-name' },
    headers: { 'x-csrf-token': csrfToken },
  });
  expect(created.status()).toBe(201);
  const secret = ((await created.json()) as { key: string }).key;
  for (const model of ['gpt-test', 'kimi-test', 'deepseek-ai/DeepSeek-V3', 'glm-test']) {
    await s.harness.client(secret).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  }
  await s.harness.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'anonymous' }] });
  await s.harness.gateway.usageWriter.flush();
};

describe.skipIf(skipBrowserSuites)('admin console layout: no clipped text at 1440, 1024 and 390 px, in both languages', () => {
  const s = useConsoleSuite({ login: true });

  it('every page, every width, both languages: badges, table headers and nav labels fit', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await seedTraffic(s);

    const problems: string[] = [];
    for (const language of LANGUAGES) {
      await page.goto(s.admin('/'));
      await page.evaluate((lng) => localStorage.setItem('skgw-admin-language', lng), language);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        for (const target of PAGES) {
          await page.goto(s.admin(target.path));
          await page
            .waitForSelector(target.ready, { state: 'attached', timeout: 30_000 })
            .catch(async (error: unknown) => {
              const html = await page.evaluate(() => document.querySelector('main')?.innerText.slice(-600));
              await screenshot(page, `layout-not-ready-${target.id}-${width}-${language}`);
              throw new Error(`${target.id} at ${width}px (${language}) did not load: ${String(error)}\n${html}`);
            });
          expect(await page.getByTestId('language-switch').getAttribute('data-language')).toBe(language);
          // Charts and fonts settle before measuring.
          await page.evaluate(() => document.fonts.ready.then(() => undefined));
          await page.waitForTimeout(150);
          for (const problem of await findClippedText(page)) problems.push(`${language} ${width}px ${target.id}: ${problem}`);
          if (target.id === 'dashboard' || target.id === 'providers' || target.id === 'models') {
            await screenshot(page, `layout-${target.id}-${width}-${language}`);
          }
        }
        if (width === 390) {
          // The navbar is behind the burger on a phone; opened, its labels must fit too.
          await page.getByTestId('nav-burger').click();
          await page.getByTestId('nav-models').waitFor();
          for (const problem of await findClippedText(page)) problems.push(`${language} ${width}px open navbar: ${problem}`);
          await screenshot(page, `layout-navbar-${width}-${language}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('at 820 px the sidebar collapses behind the burger and status badges keep their words', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.setViewportSize({ width: 820, height: 900 });
    await page.goto(s.admin('/providers'));
    await page.getByTestId('providers-list').waitFor();
    expect(await page.getByTestId('nav-burger').isVisible()).toBe(true);
    // Collapsed, the navbar is moved off the left edge and the page uses the whole width.
    const navbar = await page.getByTestId('navbar').boundingBox();
    expect(navbar!.x + navbar!.width).toBeLessThanOrEqual(0);
    const main = await page.locator('.mantine-AppShell-main').boundingBox();
    expect(main!.x).toBeLessThanOrEqual(1);
    const badge = page.getByTestId('provider-status-OpenAI');
    const [label] = await badge.locator('.mantine-Badge-label').evaluateAll((nodes) => nodes.map((n) => ({ text: n.textContent, scroll: n.scrollWidth, client: n.clientWidth })));
    expect(label!.scroll, `badge "${label!.text}" is cut off`).toBeLessThanOrEqual(label!.client + 1);
    expect(await findClippedText(page)).toEqual([]);
    await screenshot(page, 'layout-providers-820');
  });
});
