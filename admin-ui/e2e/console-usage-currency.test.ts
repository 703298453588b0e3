import { describe, expect, it } from 'vitest';
import { navigate, screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;

/**
 * Issue 11 bug 3 in the browser: USD and CNY costs are shown one line per currency with
 * their symbols on the dashboard, and each log row shows its own currency.
 */
describe.skipIf(skipBrowserSuites)('admin console in Chromium: costs per currency', () => {
  const s = useConsoleSuite({ login: true, context: { locale: 'en-US' } });

  it('shows $ and ¥ amounts on separate lines on the dashboard and per row in the logs', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await harness.gateway.state.change({ actor: 'test', action: 'model.update', target: 'pricing' }, (draft) => {
      draft.set('model', 'OpenAI/gpt-test', { pricing: { input: 1000, output: 1000, currency: 'USD' } });
      draft.set('model', 'Moonshot/kimi-test', { pricing: { input: 2000, output: 2000, currency: 'CNY' } });
    });
    await harness.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'dollars' }] });
    await harness.client().chat.completions.create({ model: 'kimi-test', messages: [{ role: 'user', content: 'yuan' }] });
    await harness.gateway.ctx.pending.drain();
    await harness.gateway.usageWriter.flush();

    await page.goto(s.admin('/'));
    await navigate(page, 'dashboard', 'summary-cards');
    await page.getByTestId('dashboard-refresh').click();
    const cost = page.getByTestId('stat-cost-value');
    await expect.poll(async () => (await cost.locator('span').allTextContents()).length).toBe(2);
    const [usd, cny] = await cost.locator('span').allTextContents();
    expect(usd).toMatch(/^\$\d/);
    expect(cny).toMatch(/^(CN)?¥\d/);
    const topModels = page.getByTestId('top-model');
    await expect.poll(() => topModels.textContent()).toContain('kimi-test');
    expect(await topModels.textContent()).toMatch(/¥/);
    await screenshot(page, 'dashboard-currencies');

    await navigate(page, 'logs', 'logs-table');
    const kimi = page.locator('[data-testid^="log-row-"]', { hasText: 'kimi-test' });
    await kimi.waitFor();
    expect(await kimi.getByTestId('log-cost').textContent()).toMatch(/^(CN)?¥\d/);
    const gpt = page.locator('[data-testid^="log-row-"]', { hasText: 'gpt-test' });
    expect(await gpt.getByTestId('log-cost').textContent()).toMatch(/^\$\d/);
  });
});
