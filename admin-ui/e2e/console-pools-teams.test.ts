import { describe, expect, it } from 'vitest';
import { navigate, screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;
const POOL_KEY = 'sk-console-pool-key-7777';

describe.skipIf(skipBrowserSuites)('admin console in Chromium: provider key pools and teams', () => {
  const s = useConsoleSuite({ login: true, context: { locale: 'en-US' } });

  it('adds a key to a provider pool, shows it masked and active, then switches it off and removes it', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await page.goto(s.admin('/providers'));
    await page.getByTestId('provider-pool-OpenAI').click();
    const drawer = page.getByTestId('pool-drawer');
    await drawer.getByTestId('pool-key-OPENAI_API_KEY').waitFor();
    await drawer.getByTestId('pool-add-label').fill('backup');
    await drawer.getByTestId('pool-add-weight').fill('2');
    await drawer.getByTestId('pool-add-key').fill(POOL_KEY);
    await drawer.getByTestId('pool-add-save').click();
    const row = drawer.getByTestId('pool-key-backup');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('active');
    expect(await row.textContent()).toContain('\u20267777');
    expect(await page.content()).not.toContain(POOL_KEY);
    await screenshot(page, 'provider-pool');

    // Both keys now serve requests, in turn by weight.
    harness.sim.clear();
    for (let i = 0; i < 3; i += 1) {
      await harness.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
    }
    expect(harness.sim.received.filter((r) => r.headers.authorization === `Bearer ${POOL_KEY}`)).toHaveLength(2);

    await drawer.getByTestId('pool-enabled-backup').click({ force: true });
    await expect.poll(() => row.getAttribute('data-state')).toBe('off');
    await drawer.getByTestId('pool-remove-backup').click();
    await row.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  it('creates a team with a budget, adds a key to it and shows it as a member, in Chinese too', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await navigate(page, 'teams', 'create-team-button');
    await page.getByTestId('create-team-button').click();
    await page.getByTestId('team-name').fill('Search team');
    await page.getByTestId('team-budget').fill('50');
    await page.getByTestId('team-currency').fill('CNY');
    await page.getByTestId('team-rpm').fill('120');
    await page.getByTestId('team-save').click();
    const team = page.locator('[data-team-name="Search team"]');
    await team.waitFor();
    expect(await page.getByTestId('team-budget-Search team').textContent()).toContain('50');

    await navigate(page, 'keys', 'create-key-button');
    await page.getByTestId('create-key-button').click();
    await page.getByTestId('key-name').fill('search-key');
    await page.getByTestId('key-team').selectOption({ label: 'Search team' });
    await page.getByTestId('key-save').click();
    await page.getByTestId('created-key-close').click();

    await navigate(page, 'teams', 'teams-table');
    await expect.poll(() => team.textContent()).toContain('search-key');
    await screenshot(page, 'teams');

    await page.evaluate(() => localStorage.setItem('skgw-admin-language', 'zh-CN'));
    await page.reload();
    await page.getByTestId('teams-table').waitFor();
    expect(await page.getByTestId('nav-teams').textContent()).toBe('团队');
    expect(await page.locator('th').allTextContents()).toContain('成员密钥');
  });
});
