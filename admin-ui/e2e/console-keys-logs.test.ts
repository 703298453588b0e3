import { describe, expect, it } from 'vitest';
import { navigate, screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;

// A Chinese browser: the console starts in zh-CN, and these screenshots show it.
describe.skipIf(skipBrowserSuites)('admin console in Chromium: API keys, dashboard, logs, language and theme', () => {
  const s = useConsoleSuite({ login: true, context: { locale: 'zh-CN' } });
  let requestId = '';

  it('creates an API key whose secret works with the openai SDK; the request shows on the dashboard and in the logs', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await page.goto(s.admin('/keys'));
    await page.getByTestId('create-key-button').click();
    await page.getByTestId('key-name').fill('e2e-sdk-key');
    await page.getByTestId('key-save').click();
    const value = page.getByTestId('created-key-value');
    await value.waitFor();
    const secret = (await value.textContent())!.trim();
    expect(secret).toMatch(/^sk-gw-[A-Za-z0-9_-]{20,}$/);
    await page.getByTestId('created-key-close').click();
    await value.waitFor({ state: 'hidden' });

    const row = page.locator('[data-key-name="e2e-sdk-key"]');
    await row.waitFor();
    expect(await row.locator('[data-testid^="key-masked-"]').textContent()).toBe(`\u2026${secret.slice(-4)}`);
    expect(await page.content()).not.toContain(secret);

    const { data: completion, response } = await harness
      .client(secret)
      .chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hello from the SDK' }] })
      .withResponse();
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from gpt-test.');
    expect(harness.sim.received.at(-1)).toMatchObject({ vendor: 'openai', body: expect.objectContaining({ model: 'gpt-test' }) });
    requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).not.toBe('');
    await harness.gateway.usageWriter.flush();

    // The gateway recognised the key (the API is open without a master key, so check attribution).
    const keys = await (await s.context.request.get(`${harness.url}/admin/api/keys`)).json();
    expect(keys.data.find((k: { name: string }) => k.name === 'e2e-sdk-key')).toMatchObject({ lastUsedAt: expect.any(String), status: 'active' });
    await page.reload();
    await page.locator('[data-key-name="e2e-sdk-key"]').waitFor();
    await screenshot(page, 'keys');

    await navigate(page, 'dashboard', 'summary-cards');
    await page.getByTestId('dashboard-refresh').click();
    const requests = page.getByTestId('stat-requests-value');
    await expect.poll(async () => Number(((await requests.textContent()) ?? '').replace(/\D/g, '') || 0)).toBeGreaterThanOrEqual(1);
    await page.locator('[data-testid="charts-empty"]').waitFor({ state: 'detached' });
    await screenshot(page, 'dashboard');

    await navigate(page, 'logs', 'logs-table');
    const logRow = page.locator('[data-testid^="log-row-"]', { hasText: 'e2e-sdk-key' });
    await logRow.waitFor();
    expect(await logRow.textContent()).toContain('gpt-test');
    // The client protocol column, in the console's language (zh-CN here).
    const rowProtocol = logRow.getByTestId('log-protocol');
    expect(await rowProtocol.getAttribute('data-protocol')).toBe('openai-chat');
    expect(await rowProtocol.textContent()).toBe('OpenAI 对话（Chat）');
    expect(await page.getByTestId('logs-table').locator('th').allTextContents()).toContain('客户端协议');
    await screenshot(page, 'logs');
    await logRow.click();
    const detail = page.getByTestId('log-detail');
    await detail.waitFor();
    await expect.poll(() => detail.textContent()).toContain(requestId);
    expect(await detail.textContent()).toContain('e2e-sdk-key');
    expect(await detail.getByTestId('log-protocol').getAttribute('data-protocol')).toBe('openai-chat');
    expect(await detail.textContent()).toContain('缓存读取 Token');
    expect(await detail.textContent()).toContain('推理 Token');
    expect(await page.content()).not.toContain(secret);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });

    // A Responses API request with the same key shows as such, and the protocol filter finds it alone.
    const answer = await harness.client(secret).responses.create({ model: 'gpt-test', input: 'hello from the Responses API', store: false });
    expect(answer.output_text).toBe('Simulated reply from gpt-test.');
    await harness.gateway.usageWriter.flush();
    await page.getByTestId('logs-refresh').click();
    const protocols = page.locator('[data-testid^="log-row-"]', { hasText: 'e2e-sdk-key' }).getByTestId('log-protocol');
    await expect.poll(async () => (await protocols.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-protocol')))).sort()).toEqual(['openai-chat', 'openai-responses']);
    await page.getByTestId('logs-filter-protocol').click();
    await page.getByRole('option', { name: 'OpenAI Responses', exact: true }).click();
    await expect.poll(async () => protocols.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-protocol')))).toEqual(['openai-responses']);
    await page.getByTestId('logs-clear-filters').click();
  });

  it('switches the console language both ways, and it sticks across a reload', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.goto(s.admin('/logs'));
    const language = page.getByTestId('language-switch');
    await language.waitFor();
    const labels = () => Promise.all(['dashboard', 'models', 'logs', 'settings'].map((id) => page.getByTestId(`nav-${id}`).textContent()));
    expect(await language.getAttribute('data-language')).toBe('zh-CN');
    expect(await labels()).toEqual(['概览', '模型', '请求日志', '设置']);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.getByTestId('page-title').textContent()).toBe('请求日志');

    await language.click();
    await expect.poll(() => language.getAttribute('data-language')).toBe('en');
    expect(await labels()).toEqual(['Dashboard', 'Models', 'Request logs', 'Settings']);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByTestId('page-title').textContent()).toBe('Request logs');
    await page.reload();
    await page.getByTestId('nav-models').waitFor();
    expect(await page.getByTestId('language-switch').getAttribute('data-language')).toBe('en');
    expect(await page.getByTestId('nav-models').textContent()).toBe('Models');

    await page.getByTestId('language-switch').click();
    await expect.poll(() => page.getByTestId('nav-models').textContent()).toBe('模型');
    expect(await page.evaluate(() => localStorage.getItem('skgw-admin-language'))).toBe('zh-CN');
  });

  it('toggles the colour scheme, and it sticks across a reload', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    const toggle = page.getByTestId('theme-toggle');
    const scheme = () => page.getAttribute('html', 'data-mantine-color-scheme');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await toggle.getAttribute('data-scheme')).toBe('light');
    expect(await scheme()).toBe('light');
    const lightBackground = await background();

    await toggle.click();
    await expect.poll(scheme).toBe('dark');
    expect(await toggle.getAttribute('data-scheme')).toBe('dark');
    expect(await background()).not.toBe(lightBackground);
    await page.reload();
    await page.getByTestId('nav-models').waitFor();
    expect(await scheme()).toBe('dark');
    await navigate(page, 'dashboard', 'summary-cards');
    await page.locator('[data-testid="stat-requests-value"]').waitFor();
    await screenshot(page, 'dashboard-dark');

    await page.getByTestId('theme-toggle').click();
    await expect.poll(scheme).toBe('light');
    expect(await background()).toBe(lightBackground);
  });
});
