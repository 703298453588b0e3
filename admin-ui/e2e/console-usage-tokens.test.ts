import { describe, expect, it } from 'vitest';
import { defaultTestProviders } from '../../src/test-support/gateway-harness.js';
import { screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;

/**
 * Issue 13 item 3 in the browser: the dashboard shows the usage model's split — input,
 * cache read, cache write, answer and reasoning output — with the cache hit rate, in
 * Chinese (the default) and in English.
 */
describe.skipIf(skipBrowserSuites)('admin console in Chromium: cache and reasoning tokens on the dashboard', () => {
  const s = useConsoleSuite({
    login: true,
    context: { locale: 'zh-CN' },
    harness: {
      providers: [
        ...defaultTestProviders(),
        { name: 'DeepSeek', vendor: 'deepseek', keyEnv: 'DEEPSEEK_E2E_KEY', key: 'sk-deepseek-e2e-secret', models: { language: ['deepseek-reasoner'] } },
      ],
    },
  });

  it('shows cache-read, cache-write and reasoning tokens next to input and output, both languages', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    harness.sim.addRule({ behavior: { cachedPromptTokens: 6 } });
    const prompt = 'Tell me how many of my tokens were cached this time.';
    const answer = await harness.client().chat.completions.create({ model: 'deepseek-reasoner', messages: [{ role: 'user', content: prompt }] });
    harness.sim.clearRules();
    await harness.gateway.ctx.pending.drain();
    await harness.gateway.usageWriter.flush();
    const reasoning = answer.usage!.completion_tokens_details!.reasoning_tokens!;
    expect(reasoning).toBeGreaterThan(0);

    // The dashboard is the console's start page; its first load already includes the request.
    await page.goto(s.admin('/'));
    await page.getByTestId('token-breakdown').waitFor();
    const value = (part: string) => page.getByTestId(`token-part-${part}-value`).textContent();
    await expect.poll(() => value('cacheRead')).toBe('6');
    expect(await value('input')).toBe(String(answer.usage!.prompt_tokens - 6));
    expect(await value('cacheWrite')).toBe('0');
    expect(await value('reasoning')).toBe(String(reasoning));
    expect(await value('answer')).toBe(String(answer.usage!.completion_tokens - reasoning));
    const breakdown = page.getByTestId('token-breakdown');
    expect(await breakdown.textContent()).toContain('缓存读取');
    expect(await breakdown.textContent()).toContain('推理');
    expect(await page.getByTestId('token-cache-hit-rate').textContent()).toMatch(/^缓存命中率 \d/);
    await screenshot(page, 'dashboard-token-breakdown');

    await page.getByTestId('language-switch').click();
    await expect.poll(() => breakdown.textContent()).toContain('Cache read');
    expect(await breakdown.textContent()).toContain('Output (reasoning)');
    expect(await page.getByTestId('token-cache-hit-rate').textContent()).toMatch(/^Cache hit rate \d/);
    await page.getByTestId('language-switch').click();
  });
});
