import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseOption, screenshot, skipBrowserSuites } from './support/browser.js';
import { useConsoleSuite } from './support/console-suite.js';

const TIMEOUT = 60_000;
const DEFAULT_MESSAGE = '你好，这是一个测试消息，请回复"测试成功"即可。';
const DURATION = /^\d+(\.\d+)? (ms|s)$/;

interface Snapshot {
  status: string | null;
  text: string;
}

describe.skipIf(skipBrowserSuites)('admin console in Chromium: playground', () => {
  const s = useConsoleSuite({ login: true });
  const scratch = mkdtempSync(join(tmpdir(), 'skgw-e2e-images-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('streams a language test: text arrives progressively, then metrics', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    // Slow the simulated model down a little so the stream is visible as it happens.
    harness.sim.addRule({ match: { model: 'kimi-test' }, times: 1, behavior: { firstTokenDelayMs: 150, tokenDelayMs: 120, content: 'Simulated reply streaming word by word: 测试成功' } });
    await page.goto(s.admin('/playground'));
    const picker = page.getByTestId('playground-model');
    await expect.poll(() => picker.getAttribute('data-value')).toBe('Moonshot/kimi-test');
    expect(await page.getByTestId('playground-message').inputValue()).toBe(DEFAULT_MESSAGE);

    // Record every text the output shows while it changes.
    await page.evaluate(() => {
      const seen: Array<{ status: string | null; text: string }> = [];
      (window as unknown as { __snapshots: typeof seen }).__snapshots = seen;
      new MutationObserver(() => {
        const output = document.querySelector('[data-testid="playground-output"]');
        if (output) seen.push({ status: output.getAttribute('data-status'), text: output.textContent ?? '' });
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByTestId('playground-send').click();
    await page.locator('[data-testid="playground-output"][data-status="done"]').waitFor();

    const finalText = await page.getByTestId('playground-output').textContent();
    expect(finalText).toBe('Simulated reply streaming word by word: 测试成功');
    const snapshots = await page.evaluate(() => (window as unknown as { __snapshots: Snapshot[] }).__snapshots);
    const partial = snapshots.filter((shot) => shot.status === 'running' && shot.text.length > 0 && shot.text.length < finalText!.length);
    expect(partial.length, `partial texts seen: ${JSON.stringify(snapshots.slice(0, 20))}`).toBeGreaterThan(1);
    expect(finalText!.startsWith(partial[0]!.text)).toBe(true);

    expect(await page.getByTestId('playground-latency').textContent()).toMatch(DURATION);
    expect(await page.getByTestId('playground-ttft').textContent()).toMatch(DURATION);
    const tokens = Number((await page.getByTestId('playground-tokens').textContent())!.replace(/\D/g, ''));
    expect(tokens).toBeGreaterThan(0);

    const upstream = harness.sim.received.at(-1)!;
    const body = upstream.body as { model: string; stream: boolean; messages: Array<{ role: string; content: string }> };
    expect(upstream.vendor).toBe('moonshot');
    expect(body).toMatchObject({ model: 'kimi-test', stream: true });
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: DEFAULT_MESSAGE });
    expect(await page.getByTestId('playground-protocol').getAttribute('data-protocol')).toBe('openai-chat');
    await screenshot(page, 'playground-language');
  });

  it('sends the language test as a Responses API request, streamed and not; the protocol is shown', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await page.goto(s.admin('/playground'));
    const picker = page.getByTestId('playground-model');
    await expect.poll(() => picker.getAttribute('data-value'), { timeout: 10_000 }).toBe('Moonshot/kimi-test');
    await page.getByTestId('playground-api').getByText('Responses', { exact: true }).click();
    await page.getByTestId('playground-system').fill('Be brief.');
    for (const streamed of [true, false]) {
      if (!streamed) await page.getByTestId('playground-stream').uncheck();
      harness.sim.clear();
      await page.getByTestId('playground-send').click();
      const output = page.locator('[data-testid="playground-output"][data-status="done"]');
      await output.waitFor();
      expect(await output.textContent()).toBe('Simulated reply from kimi-test.');
      const protocol = page.getByTestId('playground-protocol');
      expect(await protocol.getAttribute('data-protocol')).toBe('openai-responses');
      expect(await protocol.textContent()).toBe('OpenAI Responses');
      expect(Number((await page.getByTestId('playground-tokens').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);
      // The Responses request was translated for the chat-protocol vendor.
      const upstream = harness.sim.received.at(-1)!.body as { stream?: boolean };
      expect(upstream).toMatchObject({ model: 'kimi-test', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: DEFAULT_MESSAGE }] });
      expect(upstream.stream === true).toBe(streamed);
    }
    await screenshot(page, 'playground-responses');
    // A stream that breaks after it began: the Responses error event is shown as the error.
    await page.getByTestId('playground-stream').check();
    harness.sim.addRule({ match: { model: 'kimi-test' }, times: 1, behavior: { disconnectAfterChunks: 3, tokenDelayMs: 1 } });
    await page.getByTestId('playground-send').click();
    const failure = page.getByTestId('playground-output-error');
    await failure.waitFor();
    expect(await failure.textContent()).toMatch(/stream/i);
  });

  it('sends an uploaded image in the vision test: the answer acknowledges it, the conversion is shown', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    const imagePath = join(scratch, 'e2e-image.png');
    await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 40, g: 120, b: 210 } } })
      .composite([{ input: Buffer.from('<svg width="120" height="80"><rect width="120" height="80" fill="#f5a623"/></svg>'), left: 100, top: 60 }])
      .png()
      .toFile(imagePath);

    await page.getByTestId('playground-tab-vision').click();
    const picker = page.getByTestId('vision-model');
    await expect.poll(() => picker.getAttribute('data-value')).toBe('Ollama/llava-local');
    await chooseOption(page, 'vision-model', 'OpenAI/vision-test');
    await expect.poll(() => picker.getAttribute('data-value')).toBe('OpenAI/vision-test');
    await page.getByTestId('vision-file-input').setInputFiles(imagePath);
    await page.getByTestId('vision-preview').waitFor();
    expect(await page.getByTestId('vision-file-name').textContent()).toContain('e2e-image.png');

    const answered = page.waitForResponse((r) => r.url().endsWith('/admin/api/playground/vision/completions'));
    await page.getByTestId('vision-send').click();
    const response = await answered;
    const output = page.getByTestId('vision-output');
    await expect.poll(() => output.getAttribute('data-status'), { timeout: 15_000 }).toMatch(/^(done|error)$/);
    if ((await output.getAttribute('data-status')) === 'error') {
      throw new Error(`vision test failed in the UI: ${await page.getByTestId('vision-output-error').textContent()}`);
    }
    expect(response.status()).toBe(200);
    const text = (await output.textContent())!;
    expect(text).toMatch(/^Simulated reply from vision-test\.\n\[image 1: (png|jpeg|webp) \d+x\d+ \d+ bytes\]$/);

    const processing = response.headers()['x-gateway-image-processing'];
    expect(processing, 'x-gateway-image-processing header').toBeTruthy();
    const banner = (await page.getByTestId('vision-processing').textContent())!;
    expect(banner).toContain('Image processing');
    expect(banner).toContain(processing);
    expect(banner).not.toContain('not reported');

    const upstream = harness.sim.received.at(-1)!;
    expect(upstream.vendor).toBe('openai');
    expect(upstream.images).toHaveLength(1);
    expect(upstream.images[0]).toMatchObject({ kind: expect.stringMatching(/^(data|base64)$/), format: expect.any(String) });
    await screenshot(page, 'playground-vision');
  });

  it('compares two models side by side', { timeout: TIMEOUT }, async () => {
    const { page, harness } = s;
    await page.getByTestId('playground-tab-compare').click();
    const before = harness.sim.received.length;
    await chooseOption(page, 'compare-models', 'Moonshot/kimi-test');
    await chooseOption(page, 'compare-models', 'ZhipuAI/glm-test');
    await page.keyboard.press('Escape');
    await page.getByTestId('compare-send').click();
    await page.locator('[data-testid="compare-output-0"][data-status="done"]').waitFor();
    await page.locator('[data-testid="compare-output-1"][data-status="done"]').waitFor();
    expect(await page.getByTestId('compare-output-0').textContent()).toBe('Simulated reply from kimi-test.');
    expect(await page.getByTestId('compare-output-1').textContent()).toBe('Simulated reply from glm-test.');
    expect(await page.getByTestId('compare-0-tokens').textContent()).toMatch(/^\d+$/);
    // Exactly one request per model: a double-mounted slot (e.g. a development React build) sends twice.
    const models = harness.sim.received.slice(before).map((r) => (r.body as { model: string }).model);
    expect(models.sort()).toEqual(['glm-test', 'kimi-test']);
    await screenshot(page, 'playground-compare');
  });
});
