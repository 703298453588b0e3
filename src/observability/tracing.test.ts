import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/gateway-harness.js';
import { tracing, tracingSettingsFromEnv } from './tracing.js';

/** The OTLP/HTTP JSON export, as far as these tests read it (opentelemetry-proto, JSON mapping). */
interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: Array<{ key: string; value: OtlpValue }>;
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

const plain = (value: OtlpValue): unknown =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.arrayValue?.values.map(plain);
const attrs = (span: OtlpSpan) => Object.fromEntries(span.attributes.map((a) => [a.key, plain(a.value)]));

/** A real OTLP/HTTP receiver: a node:http server taking the exporter's JSON POSTs to /v1/traces. */
const startReceiver = async () => {
  const exports: OtlpExport[] = [];
  const raw: string[] = [];
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      const body = Buffer.concat(chunks).toString('utf8');
      raw.push(body);
      exports.push(JSON.parse(body) as OtlpExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    paths,
    raw,
    spans: () => exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))),
    resources: () => exports.flatMap((e) => e.resourceSpans.map((r) => Object.fromEntries(r.resource.attributes.map((a) => [a.key, plain(a.value)])))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const GROUPS = `
model_groups:
  - name: "traced-pair"
    strategy: "priority"
    deployments:
      - { provider: "Moonshot", model: "kimi-test", priority: 0 }
      - { provider: "ZhipuAI", model: "glm-test", priority: 1 }
    retry: { max_attempts: 2, base_delay_ms: 1, max_delay_ms: 5, budget_ratio: 1, min_retries_per_second: 100 }
`;

let h: Harness | null = null;
let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
afterEach(async () => {
  await h?.close();
  await receiver?.close();
  h = null;
  receiver = null;
});

const SECRET_PROMPT = 'my-private-prompt-text-7f3a';

describe('OpenTelemetry tracing', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT (the hot path sees one false boolean)', async () => {
    expect(tracingSettingsFromEnv({}, '1')).toBeNull();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' }, '1')).toBeNull();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318/', OTEL_TRACES_EXPORTER: 'none' }, '1')).toBeNull();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318/' }, '1')?.endpoint).toBe('http://x:4318/v1/traces');
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://y/traces' }, '1')?.endpoint).toBe('http://y/traces');
    h = await startHarness();
    expect(tracing.enabled).toBe(false);
    expect(tracing.impl).toBeNull();
    const completion = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBeTruthy();
  });

  it('exports a request span with GenAI attributes and a child span per upstream attempt, without content or keys', async () => {
    receiver = await startReceiver();
    h = await startHarness({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'gateway-under-test' }, modelsYamlExtra: GROUPS });
    expect(tracing.enabled).toBe(true);
    const client = h.client();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const completion = await client.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: SECRET_PROMPT }] },
      { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
    );
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'kimi-test', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: SECRET_PROMPT }] })) {
      streamed += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(streamed).not.toBe('');
    // The first deployment of the group fails once: two attempt spans under one request span.
    h.sim.addRule({ match: { model: 'kimi-test' }, times: 1, behavior: { status: 503, errorMessage: 'overloaded' } });
    await client.chat.completions.create({ model: 'traced-pair', messages: [{ role: 'user', content: SECRET_PROMPT }] });
    await h.close(); // flushes the batch processor
    h = null;

    expect(receiver.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    expect(receiver.resources()[0]).toMatchObject({ 'service.name': 'gateway-under-test' });
    const spans = receiver.spans();
    const servers = spans.filter((s) => s.kind === 2);
    const clients = spans.filter((s) => s.kind === 3);
    expect(servers).toHaveLength(3);
    expect(clients).toHaveLength(4);

    const plainRequest = servers.find((s) => attrs(s)['gen_ai.request.model'] === 'gpt-test')!;
    expect(plainRequest.name).toBe('chat gpt-test');
    expect(plainRequest.traceId).toBe(traceId);
    expect(plainRequest.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attrs(plainRequest)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': 'gpt-test',
      'gen_ai.usage.input_tokens': completion.usage!.prompt_tokens,
      'gen_ai.usage.output_tokens': completion.usage!.completion_tokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'http.response.status_code': 200,
    });
    const plainAttempt = clients.find((s) => s.parentSpanId === plainRequest.spanId)!;
    expect(plainAttempt.traceId).toBe(traceId);
    expect(attrs(plainAttempt)).toMatchObject({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-test', 'http.response.status_code': 200, 'server.address': '127.0.0.1' });

    const streamRequest = servers.find((s) => attrs(s)['gen_ai.request.model'] === 'kimi-test')!;
    expect(attrs(streamRequest)).toMatchObject({ 'gen_ai.system': 'moonshot', 'gateway.stream': true, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(attrs(streamRequest)['gen_ai.usage.output_tokens']).toBeGreaterThan(0);

    const groupRequest = servers.find((s) => attrs(s)['gen_ai.request.model'] === 'traced-pair')!;
    expect(attrs(groupRequest)).toMatchObject({ 'gateway.attempts': 2, 'gen_ai.response.model': 'glm-test', 'gen_ai.system': 'zhipu' });
    const groupAttempts = clients.filter((s) => s.parentSpanId === groupRequest.spanId);
    expect(groupAttempts.map((s) => attrs(s)['gen_ai.request.model'])).toEqual(['kimi-test', 'glm-test']);
    expect(attrs(groupAttempts[0]!)).toMatchObject({ 'http.response.status_code': 503, 'error.type': expect.any(String) });
    expect(groupAttempts[0]!.status?.code).toBe(2);

    // Nothing of the conversation or the keys leaves the gateway by default.
    const everything = receiver.raw.join('\n');
    expect(everything).not.toContain(SECRET_PROMPT);
    expect(everything).not.toContain('sk-test-openai-secret-1234');
    expect(everything).not.toContain('sk-moon-secret-5678');
    expect(everything).not.toContain('gen_ai.input.messages');
    expect(everything).not.toContain(completion.choices[0]!.message.content!);
  });

  it('records prompts and completions only when GATEWAY_TRACE_CONTENT=true, and never the keys', async () => {
    receiver = await startReceiver();
    h = await startHarness({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, GATEWAY_TRACE_CONTENT: 'true' } });
    const completion = await h.client().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: SECRET_PROMPT }] });
    await h.close();
    h = null;
    const [span] = receiver.spans().filter((s) => s.kind === 2);
    expect(String(attrs(span!)['gen_ai.input.messages'])).toContain(SECRET_PROMPT);
    expect(String(attrs(span!)['gen_ai.output.messages'])).toContain(completion.choices[0]!.message.content!);
    expect(receiver.raw.join('\n')).not.toContain('sk-test-openai-secret-1234');
  });
});
