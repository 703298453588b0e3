import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../config/env.js';
import { DEMO_PROVIDERS } from './demo-config.js';
import { DEMO_KEY, startDemo, type DemoGateway } from './start-demo.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');
const silent = pino({ level: 'silent' });

let root: string;
let demo: DemoGateway;
let url: string;
let client: OpenAI;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'skgw-demo-'));
  // A real DATABASE_URL/REDIS_URL in the environment must not be used by the demo: these
  // point nowhere, so the boot fails if demo mode reached for them.
  const settings = readRuntimeSettings(
    { GATEWAY_DATA_DIR: root, DATABASE_URL: 'postgres://127.0.0.1:1/nowhere', REDIS_URL: 'redis://127.0.0.1:1' },
    { port: 0 },
  );
  demo = await startDemo({ settings, env: {}, logger: silent });
  await demo.gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const address = demo.gateway.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: DEMO_KEY, maxRetries: 0, timeout: 15_000 });
});
afterAll(async () => {
  await demo?.gateway.close();
  rmSync(root, { recursive: true, force: true });
});

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();

describe('demo mode (what `serve --demo` runs)', () => {
  it('answers a chat with the official openai package', async () => {
    const reply = await client.chat.completions.create({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hello' }] });
    expect(reply.choices[0]!.message.content).toBe('Simulated reply from demo-chat.');
    expect(reply.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams, with usage in the last chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'demo-mini',
      messages: [{ role: 'user', content: 'Count to three' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Simulated reply from demo-mini.');
    expect(chunks).toBeGreaterThan(2);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('calls tools', async () => {
    const reply = await client.chat.completions.create({
      model: 'demo-chat',
      messages: [{ role: 'user', content: 'Weather in Beijing?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
    });
    expect(reply.choices[0]!.finish_reason).toBe('tool_calls');
    const call = reply.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
  });

  it('sees an image_url part (data URL)', async () => {
    const image = await png(64, 48);
    const reply = await client.chat.completions.create({
      model: 'demo-chat',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(reply.choices[0]!.message.content).toMatch(/\[image 1: \w+ 64x48 \d+ bytes\]/);
  });

  it('answers a multipart upload on the vision endpoint, named model and active vision model', async () => {
    const image = await png(120, 80);
    for (const model of ['demo-chat', null]) {
      const form = new FormData();
      if (model) form.append('model', model);
      form.append('prompt', 'What is in this picture?');
      form.append('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'photo.png');
      const res = await fetch(`${url}/v1/vision/completions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${DEMO_KEY}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as OpenAI.ChatCompletion;
      expect(body.model).toBe('demo-chat');
      expect(body.choices[0]!.message.content).toMatch(/\[image 1: \w+ 120x80 \d+ bytes\]/);
    }
  });

  it('makes embeddings', async () => {
    const result = await client.embeddings.create({ model: 'demo-embedding', input: ['Hello', 'World'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(result.data[0]!.embedding).not.toEqual(result.data[1]!.embedding);
  });

  it('speaks the Anthropic Messages API: natively to demo-claude, translated to demo-chat, and demo-claude to OpenAI clients', async () => {
    const anthropic = new Anthropic({ baseURL: url, apiKey: DEMO_KEY, maxRetries: 0, timeout: 15_000 });
    const native = await anthropic.messages.create({ model: 'demo-claude', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
    expect(native.content[0]).toMatchObject({ type: 'text', text: 'Simulated reply from demo-claude.' });
    let streamed = '';
    const stream = anthropic.messages.stream({ model: 'demo-chat', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] });
    stream.on('text', (text) => (streamed += text));
    const final = await stream.finalMessage();
    expect(streamed).toBe('Simulated reply from demo-chat.');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    const translated = await client.chat.completions.create({ model: 'demo-claude', messages: [{ role: 'user', content: 'Hello' }] });
    expect(translated.choices[0]!.message.content).toBe('Simulated reply from demo-claude.');
  });

  it('needs the demo key (so SDK examples and virtual keys behave as in production)', async () => {
    const noKey = await fetch(`${url}/v1/models`);
    expect(noKey.status).toBe(401);
    const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401 });
  });

  it('lists only the demo providers, tells the console it is a demo, keeps its data apart', async () => {
    const models = await client.models.list();
    const ids = models.data.map((m) => m.id).sort();
    expect(ids).toEqual(DEMO_PROVIDERS.flatMap((p) => p.models.map((m) => m.entry.name)).sort());
    const info = (await (await fetch(`${url}/admin/auth/info`)).json()) as { demo: boolean };
    expect(info.demo).toBe(true);
    expect(demo.gateway.ctx.settings.dataDir).toBe(join(root, 'demo'));
    expect(existsSync(join(root, 'demo'))).toBe(true);
    expect(demo.notices.join('\n')).toMatch(/DATABASE_URL is ignored/);
  });
});

describe('the README demo examples', () => {
  const readmes = ['README.md', 'README.zh-CN.md'].map((name) => ({ name, text: readFileSync(join(repoRoot, name), 'utf8') }));
  const demoBlocks = (text: string) =>
    [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! })).filter((b) => b.code.includes(DEMO_KEY));
  const atPort = (code: string) => code.replaceAll('http://127.0.0.1:8000', url);

  it.each(readmes)('$name: the quick start keeps its two commands and adds `npm run demo`', ({ text }) => {
    const quickStart = text.slice(0, text.indexOf('npm run demo') + 20);
    expect(quickStart).toContain('npm install && npm start');
    expect(quickStart).toContain('npm test');
  });

  it.each(readmes)('$name: every model the demo examples name exists in the demo', async ({ text }) => {
    const blocks = demoBlocks(text);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const named = new Set<string>();
    for (const block of blocks) {
      for (const m of block.code.matchAll(/"model":\s*"([^"]+)"|model[=:]\s*['"]?([\w.-]+)/g)) named.add(m[1] ?? m[2]!);
    }
    const served = new Set((await client.models.list()).data.map((m) => m.id));
    expect([...named].length).toBeGreaterThanOrEqual(2);
    for (const model of named) expect(served, model).toContain(model);
  });

  it.each(readmes)('$name: the curl examples work as written', async ({ text }) => {
    // The upload example needs the reader's own picture; the test above covers uploads.
    const curls = demoBlocks(text).filter((b) => b.lang === 'bash' && !b.code.includes('@'));
    expect(curls.length).toBe(4);
    for (const { code } of curls) {
      const { stdout } = await run('bash', ['-c', `${atPort(code).trim()} --fail-with-body -sS`], { timeout: 20_000 });
      expect(stdout).toMatch(/Simulated reply|data: \[DONE\]|"embedding"/);
    }
  });

  it.each(readmes)('$name: the openai package example runs as written', async ({ text }) => {
    const js = demoBlocks(text).find((b) => b.lang === 'js');
    expect(js).toBeDefined();
    // cwd is the repository, so `import OpenAI from 'openai'` resolves as in a user's project.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', atPort(js!.code)], { cwd: repoRoot, timeout: 30_000 });
    expect(stdout).toContain('Simulated reply from demo-chat.');
    expect(stdout).toMatch(/\[image 1: png 1x1 \d+ bytes\]/);
    expect(stdout).toMatch(/\d+ (dimensions|维)/);
  });
});
