import { describe, expect, it } from 'vitest';
import { chooseOption, loginThroughForm, navigate, screenshot, skipBrowserSuites } from './support/browser.js';
import { ADMIN_PASSWORD, useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;

describe.skipIf(skipBrowserSuites)('admin console in Chromium: login, models, providers, settings', () => {
  const s = useConsoleSuite();
  const api = async (path: string) => {
    const response = await s.context.request.get(`${s.harness.url}${path}`);
    return { status: response.status(), json: await response.json().catch(() => null) };
  };
  const publicModelIds = async () => {
    const response = await fetch(`${s.harness.url}/v1/models`);
    return ((await response.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
  };

  it('logs in: a wrong password shows an error, the right one opens the dashboard', { timeout: TIMEOUT }, async () => {
    const { page, watcher } = s;
    // Provoked on purpose: the wrong password. The session probe before login answers 200
    // "not signed in", so a fresh browser's console shows no 401 (issue 11 bug 7).
    watcher.allow(/\/admin\/auth\/login$/, 401);
    const { platformName } = (await (await fetch(`${s.harness.url}/admin/auth/info`)).json()) as { platformName: string };

    await page.goto(s.admin('/'));
    await page.waitForURL(/\/admin\/login$/);
    await expect.poll(() => page.title()).toBe(platformName);
    await expect.poll(() => page.getByTestId('login-title').textContent()).toBe(platformName);
    await screenshot(page, 'login');

    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('Incorrect user name or password.');
    expect(page.url()).toMatch(/\/admin\/login$/);
    expect((await s.context.cookies()).find((c) => c.name === 'skgw_session')).toBeUndefined();

    await loginThroughForm(page, ADMIN_PASSWORD);
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/?$/);
    expect(await page.getByTestId('platform-name').textContent()).toBe(platformName);
    expect(await page.title()).toBe(platformName);
    const session = (await s.context.cookies()).find((c) => c.name === 'skgw_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    expect((await api('/admin/auth/me')).json).toMatchObject({ authenticated: true, user: 'admin' });
  });

  it('switches the active language model: a /v1 call without `model` reaches the new one', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await navigate(page, 'models', 'models-table');
    const select = page.getByTestId('active-language-select');
    expect(await select.getAttribute('data-value')).toBe('Moonshot/kimi-test');

    await chooseOption(page, 'active-language-select', 'ZhipuAI/glm-test');
    await page.getByTestId('active-changed-notification').waitFor();
    await expect.poll(() => select.getAttribute('data-value')).toBe('ZhipuAI/glm-test');
    await page.getByTestId('model-active-language-ZhipuAI/glm-test').waitFor();
    expect((await api('/admin/api/active-models')).json.language).toEqual({ provider: 'ZhipuAI', name: 'glm-test', key: 'ZhipuAI/glm-test' });

    const response = await fetch(`${s.harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'which model are you?' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-model')).toBe('ZhipuAI/glm-test');
    const body = (await response.json()) as { model: string; choices: Array<{ message: { content: string } }> };
    expect(body.model).toBe('glm-test');
    expect(body.choices[0]!.message.content).toBe('Simulated reply from glm-test.');
    const upstream = s.harness.sim.received.at(-1)!;
    expect(upstream).toMatchObject({ vendor: 'zhipu', path: expect.stringContaining('/chat/completions') });
    expect((upstream.body as { model: string }).model).toBe('glm-test');
    await screenshot(page, 'models');
  });

  it('adds a model in the modal: listed in the table and /v1/models, still there after a restart', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.getByTestId('add-model-button').click();
    await page.getByTestId('model-name').waitFor();
    await page.getByTestId('model-provider').selectOption('OpenAI');
    await page.getByTestId('model-name').fill('e2e-added');
    await page.getByTestId('model-type').selectOption('language');
    await page.getByTestId('model-display-name').fill('E2E added model');
    await page.getByTestId('model-price-input').fill('0.5');
    await page.getByTestId('model-price-output').fill('1.5');
    await page.getByTestId('model-save').click();
    await page.getByTestId('model-saved-notification').waitFor();
    const row = page.getByTestId('model-row-OpenAI/e2e-added');
    await row.waitFor();
    expect(await row.textContent()).toContain('E2E added model');
    expect(await publicModelIds()).toContain('e2e-added');
    const stored = (await api('/admin/api/models')).json.data.find((m: { key: string }) => m.key === 'OpenAI/e2e-added');
    expect(stored).toMatchObject({ provider: 'OpenAI', type: 'language', displayName: 'E2E added model', source: 'admin', pricing: { input: 0.5, output: 1.5 } });

    // The browser leaves before the server goes away, so no poll hits a closed port.
    await page.goto('about:blank');
    await s.harness.restart();
    await page.goto(s.admin('/models'));
    if (page.url().includes('/login')) await loginThroughForm(page, ADMIN_PASSWORD);
    await page.getByTestId('model-row-OpenAI/e2e-added').waitFor();
    expect(await page.getByTestId('active-language-select').getAttribute('data-value')).toBe('ZhipuAI/glm-test');
    expect(await publicModelIds()).toContain('e2e-added');

    const completion = await s.harness.client().chat.completions.create({ model: 'e2e-added', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Simulated reply from e2e-added.');
    expect(s.harness.sim.received.at(-1)).toMatchObject({ vendor: 'openai', body: expect.objectContaining({ model: 'e2e-added' }) });
  });

  it('shows provider keys masked only', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await navigate(page, 'providers', 'providers-list');
    await expect.poll(() => page.getByTestId('provider-key-masked-OpenAI').textContent()).toBe('\u20261234');
    expect(await page.getByTestId('provider-key-masked-Moonshot').textContent()).toBe('\u20265678');
    expect(await page.getByTestId('provider-key-masked-Keyless').textContent()).toContain('KEYLESS_API_KEY');
    const html = await page.content();
    const secrets = Object.entries(s.harness.env).filter(([name, value]) => name.endsWith('_API_KEY') && value);
    expect(secrets.length).toBeGreaterThan(3);
    for (const [name, value] of secrets) expect(html.includes(value!), `${name} appears in the providers page`).toBe(false);
    await screenshot(page, 'providers');
  });

  it('renames the platform in the settings: the title follows, also after a reload', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await navigate(page, 'settings', 'settings-platform-name');
    const input = page.getByTestId('settings-platform-name');
    await expect.poll(() => input.inputValue()).not.toBe('');
    await input.fill('E2E 测试网关');
    await page.getByTestId('settings-save').click();
    await expect.poll(() => page.title()).toBe('E2E 测试网关');
    await expect.poll(() => page.getByTestId('platform-name').textContent()).toBe('E2E 测试网关');
    expect((await (await fetch(`${s.harness.url}/admin/auth/info`)).json()).platformName).toBe('E2E 测试网关');
    expect((await api('/admin/api/settings')).json).toEqual({ platformName: 'E2E 测试网关' });

    await page.reload();
    await page.getByTestId('settings-platform-name').waitFor();
    await expect.poll(() => page.title()).toBe('E2E 测试网关');
    await screenshot(page, 'settings');
  });

  it('logs out from the user menu: the session is gone', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout-button').click();
    await page.waitForURL(/\/admin\/login/);
    await page.getByTestId('login-password').waitFor();
    // The session probe answers 200 "not signed in" (no 401 in the browser console).
    expect((await api('/admin/auth/me')).json).toEqual({ authenticated: false, user: null, role: null, csrfToken: null });
    expect((await api('/admin/api/models')).status).toBe(401);
  });
});
