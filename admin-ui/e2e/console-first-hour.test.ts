import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTestProviders, type TestProvider } from '../../src/test-support/gateway-harness.js';
import { chooseOption, screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

/** Issue 11 ("the first hour") in the browser: what a newcomer meets in the console. */

const TIMEOUT = 90_000;
/** The machine may be busy: give the console time to answer. */
const POLL = { timeout: 15_000 };
const BULK_MODELS = Array.from({ length: 70 }, (_, i) => `bulk-${String(i + 1).padStart(2, '0')}`);

const providers: TestProvider[] = [
  ...defaultTestProviders(),
  { name: 'Sim', vendor: 'openai', models: { language: ['sim-model'] }, extra: '    needs_key: true\n' },
  { name: 'Dead', vendor: 'openai', baseUrl: 'http://127.0.0.1:1/v1', models: { language: ['dead-model'] }, extra: '    needs_key: false\n' },
  { name: 'Bulk', vendor: 'openai', keyEnv: 'BULK_API_KEY', key: 'bulk-secret-2468', models: { language: BULK_MODELS } },
];

const OPENAI_FILE = `provider: "OpenAI"
models:
  language:
    - name: "gpt-test"
      display_name: "gpt-test display"
  vision:
    - name: "gpt-test"
    - name: "vision-test"
    - name: "omni-test"
      display_name: "全能模型"
      display_name_en: "Omni model"
      capabilities: ["chat"]
  embedding:
    - name: "embed-test"
`;

const setLanguage = async (s: ReturnType<typeof useConsoleSuite>, language: 'en' | 'zh-CN') => {
  const button = s.page.getByTestId('language-switch');
  if ((await button.getAttribute('data-language')) !== language) await button.click();
  await expect.poll(() => button.getAttribute('data-language'), POLL).toBe(language);
};

describe.skipIf(skipBrowserSuites)('admin console in Chromium: the first hour (issue 11)', () => {
  const s = useConsoleSuite({ login: true, harness: { providers, activeModels: { active_language_model_provider: 'OpenAI', active_language_model: 'gpt-test' } } });

  beforeAll(async () => {
    // A gpt-4o-class model (vision + chat) with an English display name, as config/ now has.
    writeFileSync(join(s.harness.configDir, 'providers', 'openai.yaml'), OPENAI_FILE);
    await s.harness.restart();
  }, 60_000);

  it('request logs: a keyless API call is "Anonymous", a playground call "Console playground", "(none)" is translated', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await harness.client().chat.completions.create({ model: 'kimi-test', messages: [{ role: 'user', content: 'no key' }] });
    await harness.client().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    await page.goto(s.admin('/playground'));
    await chooseOption(page, 'playground-model', 'ZhipuAI/glm-test');
    await page.getByTestId('playground-send').click();
    await page.locator('[data-testid="playground-output"][data-status="done"]').waitFor();
    await harness.gateway.usageWriter.flush();

    await page.goto(s.admin('/logs'));
    await setLanguage(s, 'en');
    const anonymous = page.locator('[data-testid^="log-row-"]', { hasText: 'kimi-test' });
    await anonymous.waitFor();
    expect(await anonymous.getByTestId('log-caller').textContent()).toBe('Anonymous (no key)');
    const playground = page.locator('[data-testid^="log-row-"]', { hasText: 'glm-test' });
    expect(await playground.getByTestId('log-caller').textContent()).toBe('Console playground');
    const unknown = page.locator('[data-testid^="log-row-"]', { hasText: 'no-such-model' });
    expect(await unknown.textContent()).toContain('(none)');
    await screenshot(page, 'first-hour-logs-en');

    await setLanguage(s, 'zh-CN');
    await expect.poll(() => anonymous.getByTestId('log-caller').textContent(), POLL).toBe('匿名（未带密钥）');
    expect(await playground.getByTestId('log-caller').textContent()).toBe('控制台在线测试');
    expect(await unknown.textContent()).toContain('（无）');
    expect(await unknown.textContent()).not.toContain('(none)');
    await screenshot(page, 'first-hour-logs-zh-CN');
    await setLanguage(s, 'en');
  });

  it('a provider without a key variable: the playground error is one readable sentence, in both languages', { timeout: TIMEOUT }, async () => {
    const { page, watcher } = s;
    watcher.allow(/\/admin\/api\/playground\/chat\/completions$/, 503);
    await page.goto(s.admin('/playground'));
    await chooseOption(page, 'playground-model', 'Sim/sim-model');
    await page.getByTestId('playground-stream').uncheck();
    await page.getByTestId('playground-send').click();
    const error = page.getByTestId('playground-output-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The provider Sim has no API key: enter a key on the Providers page.');
    await setLanguage(s, 'zh-CN');
    await page.getByTestId('playground-send').click();
    await expect.poll(() => error.textContent(), POLL).toContain('服务商 Sim 没有 API 密钥：请在「服务商」页面填写密钥。');
    await setLanguage(s, 'en');
  });

  it('making a key-missing model active warns and asks; cancel keeps the old one, confirm switches (forced)', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await page.goto(s.admin('/models'));
    const select = page.getByTestId('active-language-select');
    await expect.poll(() => select.getAttribute('data-value'), POLL).toBe('OpenAI/gpt-test');

    await chooseOption(page, 'active-language-select', 'Keyless/needs-key-model');
    // The modal's root has no box of its own (its content is fixed-positioned): wait for the content.
    const modal = page.getByTestId('active-confirm-modal');
    const ok = modal.getByTestId('confirm-ok');
    await ok.waitFor();
    expect(await modal.textContent()).toContain('Keyless/needs-key-model cannot answer requests: its provider Keyless has no API key');
    await screenshot(page, 'first-hour-active-confirm');
    await modal.getByTestId('confirm-cancel').click();
    await ok.waitFor({ state: 'detached' });
    await expect.poll(() => select.getAttribute('data-value'), POLL).toBe('OpenAI/gpt-test');
    expect(await page.getByTestId('active-changed-notification').count()).toBe(0);
    const active = async () => (await (await s.context.request.get(`${harness.url}/admin/api/active-models`)).json()).language.key;
    expect(await active()).toBe('OpenAI/gpt-test');

    await chooseOption(page, 'active-language-select', 'Keyless/needs-key-model');
    await ok.click();
    await page.getByTestId('active-changed-notification').waitFor();
    expect(await active()).toBe('Keyless/needs-key-model');

    // Back to a working model: no question asked.
    await chooseOption(page, 'active-language-select', 'OpenAI/gpt-test');
    await expect.poll(active, POLL).toBe('OpenAI/gpt-test');
    expect(await ok.count()).toBe(0);
  });

  it('a vision model that chats is in the language pickers; its English name shows in English, the Chinese one in Chinese', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.goto(s.admin('/playground'));
    await page.getByTestId('playground-model').click();
    await page.getByRole('option', { name: 'OpenAI/omni-test', exact: true }).waitFor();
    await page.keyboard.press('Escape');

    await page.goto(s.admin('/models'));
    await page.getByTestId('filter-search').fill('omni');
    const row = page.getByTestId('model-row-OpenAI/omni-test');
    await row.waitFor();
    expect(await row.textContent()).toContain('Omni model');
    expect(await row.textContent()).not.toContain('全能模型');
    expect(await page.getByTestId('set-active-language-OpenAI/omni-test').count()).toBe(1);
    await setLanguage(s, 'zh-CN');
    await expect.poll(() => row.textContent(), POLL).toContain('全能模型');
    await setLanguage(s, 'en');
  });

  it('the models page is grouped by provider, collapsible and paginated', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.goto(s.admin('/models'));
    await page.getByTestId('models-table').waitFor();
    const rows = page.locator('[data-testid^="model-row-"]');
    const pageButtons = page.locator('[data-testid="models-pagination"] button');
    // 88 models and 11 provider headers: two pages of 50 rows, not one endless page.
    await page.getByTestId('model-group-Bulk').waitFor();
    expect(await page.getByTestId('model-group-Bulk').textContent()).toContain('70 models');
    expect(await rows.count()).toBeLessThan(50);
    expect(await pageButtons.count()).toBe(4);
    expect(await page.getByTestId('model-row-Bulk/bulk-70').count()).toBe(0);

    // The next page continues the Bulk group under a "continued" header.
    await pageButtons.nth(2).click();
    await page.getByTestId('model-row-Bulk/bulk-70').waitFor();
    expect(await page.getByTestId('model-group-Bulk').textContent()).toContain('(continued)');
    expect(await page.getByTestId('model-group-OpenAI').textContent()).toContain('4 models');
    await pageButtons.nth(1).click();

    // Collapsing the big group leaves its header; everything else fits on one page.
    await page.getByTestId('model-group-toggle-Bulk').click();
    await expect.poll(() => page.getByTestId('model-row-Bulk/bulk-01').count(), POLL).toBe(0);
    expect(await page.getByTestId('model-group-Bulk').getAttribute('data-collapsed')).toBe('true');
    await page.getByTestId('model-row-OpenAI/gpt-test').waitFor();
    expect(await pageButtons.count()).toBeLessThan(4);
    await page.getByTestId('model-group-toggle-Bulk').click();
    await page.getByTestId('model-row-Bulk/bulk-01').waitFor();

    await chooseOption(page, 'filter-provider', 'Moonshot');
    await expect.poll(() => rows.count(), POLL).toBe(2);
    expect(await page.getByTestId('models-count').textContent()).toMatch(/^2 of \d+$/);
    await screenshot(page, 'first-hour-models-filtered');
  });

  it('add provider: "requires an API key" follows the loopback rule until the operator sets it', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.goto(s.admin('/providers'));
    await page.getByTestId('add-provider-button').click();
    const needsKey = page.getByTestId('provider-needs-key');
    await page.getByTestId('provider-name').fill('LocalLlama');
    expect(await needsKey.isChecked()).toBe(true);
    await page.getByTestId('provider-base-url').fill('http://127.0.0.1:8000/v1');
    await expect.poll(() => needsKey.isChecked(), POLL).toBe(false);
    await page.getByTestId('provider-base-url').fill('https://api.example.com/v1');
    await expect.poll(() => needsKey.isChecked(), POLL).toBe(true);
    await page.getByTestId('provider-base-url').fill('http://localhost:11434/v1');
    await expect.poll(() => needsKey.isChecked(), POLL).toBe(false);
    // The operator's choice sticks.
    await needsKey.check();
    await page.getByTestId('provider-base-url').fill('http://localhost:11435/v1');
    expect(await needsKey.isChecked()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('provider-name').waitFor({ state: 'detached' });
  });

  it('a provider whose server is down: the last check shows it failed and when', { timeout: TIMEOUT }, async () => {
    const { page } = s;
    await page.goto(s.admin('/providers'));
    const last = page.getByTestId('provider-last-check-Dead');
    await last.waitFor();
    expect(await last.getAttribute('data-ok')).toBe('none');
    expect(await page.getByTestId('provider-status-Dead').textContent()).toBe('Usable');
    await page.getByTestId('provider-test-Dead').click();
    await page.getByTestId('provider-unreachable-Dead').waitFor();
    await expect.poll(() => last.getAttribute('data-ok'), POLL).toBe('false');
    expect(await last.textContent()).toMatch(/^Last check .*\d.* failed: /);
    await page.getByTestId('provider-test-OpenAI').click();
    await expect.poll(() => page.getByTestId('provider-last-check-OpenAI').getAttribute('data-ok'), POLL).toBe('true');
    expect(await page.getByTestId('provider-unreachable-OpenAI').count()).toBe(0);
    await screenshot(page, 'first-hour-providers-check');
  });
});
