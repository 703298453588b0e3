import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeSettings } from '../config/env.js';
import { buildApp, type GatewayApp } from '../server/app.js';
import { defaultTestProviders, startHarness, type Harness } from '../test-support/gateway-harness.js';
import { PG_TEST_URL } from '../test-support/test-databases.js';

/**
 * Three gateway instances in one process, on one real PostgreSQL schema and the real
 * Redis (a unique key prefix), each with its own Redis connections through a TCP proxy
 * this test can cut and restore — the machine's Redis itself is never stopped.
 */
const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const target = new URL(redisUrl);

/** Forwards to the real Redis; `cut()` closes the listener and every connection, `restore()` listens again. */
const startRedisProxy = async () => {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    cut: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: listen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const GROUPS = `
routing:
  failure_threshold: 3
  window_ms: 10000
  cooldown_ms: 1500
`;

let reachable = false;
let proxy: Awaited<ReturnType<typeof startRedisProxy>>;
let h: Harness;
let others: GatewayApp[] = [];
/** Log lines of the second and third instance (the harness keeps the first's). */
const otherLogLines: string[] = [];
let urls: string[] = [];
let apps: GatewayApp[] = [];
let schema = '';
const applicationName = `skgw-mi-${randomBytes(4).toString('hex')}`;
const POOL_MAX = 8;
const masterKey = `sk-mi-${randomBytes(8).toString('hex')}`;
const admin = new pg.Client({ connectionString: PG_TEST_URL });

const listen = async (app: GatewayApp) => {
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await probe.connect();
    reachable = (await probe.ping()) === 'PONG';
    await probe.quit();
    await admin.connect();
  } catch (error) {
    probe.disconnect();
    if (process.env.CI) throw new Error(`Redis and PostgreSQL are required in CI: ${String(error)}`);
    console.warn('*** SKIPPING multi-instance tests: Redis or PostgreSQL unreachable ***');
    return;
  }
  schema = `mi_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  proxy = await startRedisProxy();
  const shared = {
    databaseUrl: `${PG_TEST_URL}${PG_TEST_URL.includes('?') ? '&' : '?'}application_name=${applicationName}`,
    databaseSchema: schema,
    databasePoolMax: POOL_MAX,
    redisUrl: proxy.url,
    redisPrefix: `mi:${randomBytes(6).toString('hex')}:`,
    // Unknown keys are refused rather than served anonymously, so a key one instance has
    // not loaded yet could never slip past its limit unnoticed.
    masterKey,
  };
  // Three gateways and the simulator share one event loop here: generous upstream timeouts,
  // so 192 concurrent requests on a loaded machine measure the database, not the timeouts.
  const providers = defaultTestProviders().map((p) => ({
    ...p,
    extra: `${p.extra ?? ''}    timeout_ms: { connect: 10000, first_byte: 60000, idle: 60000, total: 120000 }\n`,
  }));
  h = await startHarness({ settings: shared, modelsYamlExtra: GROUPS, providers });
  others = [];
  for (let i = 0; i < 2; i++) {
    const settings = readRuntimeSettings({}, { configDir: h.configDir, dataDir: h.dataDir, port: 0, ...shared });
    const logger = pino({ level: 'warn' }, { write: (line: string) => void otherLogLines.push(line) });
    others.push(await buildApp({ settings, env: h.env, logger }));
  }
  apps = [h.gateway, ...others];
  urls = [h.url, ...(await Promise.all(others.map(listen)))];
  // Wait until every instance has its bus up.
  for (let i = 0; i < 100; i++) {
    const states = await Promise.all(urls.map(async (u) => ((await (await fetch(`${u}/health/ready`)).json()) as { degraded: boolean }).degraded));
    if (states.every((d) => d === false)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(async () => {
  if (!reachable) return;
  for (const app of others) await app.close();
  await h.close();
  await proxy.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await admin.end();
});

const chat = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}`, ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

/** A new virtual key, once every instance knows it (pushed to them by the change notice). */
const newKey = async (input: { name: string; rpmLimit?: number }) => {
  const { key } = await h.gateway.repositories.apiKeys.createApiKey(input);
  await h.gateway.state.reload(true);
  const deadline = Date.now() + 5_000;
  for (const u of urls) {
    while ((await fetch(`${u}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status !== 200) {
      if (Date.now() > deadline) throw new Error('the key did not reach every instance');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return key;
};

const simCount = (model: string) => h.sim.received.filter((r) => (r.body as { model?: string } | null)?.model === model).length;

describe('three instances on one PostgreSQL and one Redis', () => {
  it('serves an admin change made on one instance from the others within 200 ms (pushed, not polled)', async ({ skip }) => {
    if (!reachable) skip();
    const [a, b, c] = apps as [GatewayApp, GatewayApp, GatewayApp];
    for (const target of ['ZhipuAI/glm-test', 'Moonshot/kimi-test']) {
      const started = performance.now();
      await a.state.change({ actor: 'test', action: 'active_models.set', target: 'active_models' }, (draft) => draft.setActiveModel('language', target));
      const committed = performance.now();
      for (;;) {
        if (b.state.catalog.active.language?.key === target && c.state.catalog.active.language?.key === target) break;
        if (performance.now() - committed > 2_000) throw new Error('the change did not reach the other instances');
        await new Promise((r) => setTimeout(r, 2));
      }
      const seenMs = performance.now() - committed;
      console.log(`config push: live on both other instances ${seenMs.toFixed(1)} ms after the change returned on the first (${(performance.now() - started).toFixed(1)} ms after the change began)`);
      // Polling is slowed to 5 s while Redis is up, so this can only be the push.
      expect(seenMs).toBeLessThan(200);
      const served = await Promise.all([urls[1]!, urls[2]!].map(async (u) => ((await (await chat(u, {})).json()) as { model: string }).model));
      expect(served).toEqual(Array(2).fill(target.split('/')[1]));
    }
  });

  it('shares the response cache between instances, keeping a virtual key private', async ({ skip }) => {
    if (!reachable) skip();
    const one = await newKey({ name: 'cache-one' });
    const two = await newKey({ name: 'cache-two' });
    const body = { model: 'gpt-test', messages: [{ role: 'user', content: `cache me ${randomBytes(4).toString('hex')}` }] };
    const first = await chat(urls[0]!, body, { authorization: `Bearer ${one}`, 'x-gateway-cache': 'on' });
    expect(first.headers.get('x-gateway-cache')).toBe('miss');
    const firstText = await first.text();
    await new Promise((r) => setTimeout(r, 100));
    const second = await chat(urls[1]!, body, { authorization: `Bearer ${one}`, 'x-gateway-cache': 'on' });
    expect(second.headers.get('x-gateway-cache')).toBe('hit');
    expect(JSON.parse(await second.text()).choices).toEqual(JSON.parse(firstText).choices);
    // Another key's scope: a miss, on any instance.
    const other = await chat(urls[2]!, body, { authorization: `Bearer ${two}`, 'x-gateway-cache': 'on' });
    expect(other.headers.get('x-gateway-cache')).toBe('miss');
    await other.text();
  });

  it('a breaker opened on one instance stops traffic to that deployment on all; one instance probes', async ({ skip }) => {
    if (!reachable) skip();
    h.sim.addRule({ match: { model: 'llama-local' }, behavior: { status: 500, errorMessage: 'broken' } });
    for (let i = 0; i < 3; i++) expect((await chat(urls[0]!, { model: 'llama-local' })).status).toBe(502);
    const opened = performance.now();
    const id = apps[0]!.ctx.routing.breaker.snapshot(Date.now()).find((s) => s.state === 'open')?.id;
    expect(id).toBeTruthy();
    for (;;) {
      if (apps.every((app) => app.ctx.routing.breaker.state(id!, Date.now()) === 'open')) break;
      if (performance.now() - opened > 1_000) throw new Error('the opening did not reach every instance within 1 s');
      await new Promise((r) => setTimeout(r, 5));
    }
    console.log(`breaker opening: seen by all instances ${(performance.now() - opened).toFixed(1)} ms after it opened`);
    const before = simCount('llama-local');
    const refused = await Promise.all(urls.map(async (u) => (await chat(u, { model: 'llama-local' })).status));
    expect(refused).toEqual([503, 503, 503]);
    expect(simCount('llama-local')).toBe(before);

    // Healthy again; after the cooldown exactly one instance sends the half-open probe.
    h.sim.clearRules();
    const reopensAt = apps[1]!.ctx.routing.breaker.snapshot(Date.now()).find((s) => s.id === id)!.reopensAt!;
    await new Promise((r) => setTimeout(r, Math.max(0, reopensAt - Date.now()) + 150));
    const probeBefore = simCount('llama-local');
    const probe = await Promise.all(urls.map(async (u) => (await chat(u, { model: 'llama-local', simulator: { firstTokenDelayMs: 400 } })).status));
    expect(probe.filter((s) => s === 200)).toHaveLength(1);
    expect(probe.filter((s) => s === 503)).toHaveLength(2);
    expect(simCount('llama-local') - probeBefore).toBe(1);
    // The probe's success closes the circuit everywhere.
    await new Promise((r) => setTimeout(r, 100));
    expect(await Promise.all(urls.map(async (u) => (await chat(u, { model: 'llama-local' })).status))).toEqual([200, 200, 200]);
  });

  it('an instance that wins the probe lease but gets no traffic does not keep the circuit open', async ({ skip }) => {
    if (!reachable) skip();
    const model = 'Qwen/Qwen3-8B';
    h.sim.addRule({ match: { model }, behavior: { status: 500, errorMessage: 'broken' } });
    for (let i = 0; i < 3; i++) expect((await chat(urls[0]!, { model })).status).toBe(502);
    h.sim.clearRules();
    const id = apps[0]!.ctx.routing.breaker.snapshot(Date.now()).find((s) => s.state === 'open' && s.id.includes('Qwen3'))!.id;
    const reopensAt = apps[0]!.ctx.routing.breaker.snapshot(Date.now()).find((s) => s.id === id)!.reopensAt!;
    await new Promise((r) => setTimeout(r, Math.max(0, reopensAt - Date.now()) + 100));
    // Traffic only on the third instance: whoever won the first claim, it must recover.
    const started = performance.now();
    let status = 0;
    while (status !== 200) {
      status = (await chat(urls[2]!, { model })).status;
      if (performance.now() - started > 5_000) throw new Error('the circuit stayed open on the only instance with traffic');
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`breaker: recovered on the only busy instance ${(performance.now() - started).toFixed(0)} ms after the cooldown`);
  });

  it('holds a 600 RPM key to within 1% with load spread over the three instances', async ({ skip }) => {
    if (!reachable) skip();
    const key = await newKey({ name: 'rpm-600', rpmLimit: 600 });
    const statuses: number[] = [];
    let next = 0;
    const total = 700;
    const worker = async (w: number) => {
      for (let i = next++; i < total; i = next++) {
        const response = await chat(urls[(i + w) % 3]!, { model: 'gpt-test' }, { authorization: `Bearer ${key}` });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, w) => worker(w)));
    const ok = statuses.filter((s) => s === 200).length;
    console.log(`600 RPM over three instances: ${ok} admitted of ${total}, ${statuses.filter((s) => s === 429).length} refused`);
    expect(ok).toBeGreaterThanOrEqual(594);
    expect(ok).toBeLessThanOrEqual(606);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  }, 120_000);

  it('keeps serving through a Redis outage, says so in /health/ready and metrics, and converges when it returns', async ({ skip }) => {
    if (!reachable) skip();
    let running = true;
    const failures: string[] = [];
    let served = 0;
    const load = async (w: number) => {
      while (running) {
        const response = await chat(urls[w % 3]!, { model: 'gpt-test' }).catch((error: unknown) => ({ status: 0, text: async () => String(error) }));
        if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else {
          served += 1;
          await response.text();
        }
      }
    };
    const loads = Array.from({ length: 6 }, (_, w) => load(w));
    await new Promise((r) => setTimeout(r, 300));
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 300));
    const during = await Promise.all(urls.map(async (u) => {
      const response = await fetch(`${u}/health/ready`);
      return { status: response.status, body: (await response.json()) as { degraded: boolean; redis: { connected: boolean } } };
    }));
    for (const entry of during) {
      expect(entry.status).toBe(200);
      expect(entry.body.degraded).toBe(true);
      expect(entry.body.redis.connected).toBe(false);
    }
    const metrics = await (await fetch(`${urls[0]}/metrics`, { headers: { authorization: `Bearer ${masterKey}` } })).text();
    expect(metrics).toMatch(/^gateway_redis_connected 0$/m);
    // A change while Redis is away still arrives, by polling (the fallback).
    await apps[2]!.state.change({ actor: 'test', action: 'active_models.set', target: 'active_models' }, (draft) => draft.setActiveModel('language', 'ZhipuAI/glm-test'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(apps.map((app) => app.state.catalog.active.language?.key)).toEqual(Array(3).fill('ZhipuAI/glm-test'));
    await proxy.restore();
    const restored = performance.now();
    for (;;) {
      const states = await Promise.all(urls.map(async (u) => ((await (await fetch(`${u}/health/ready`)).json()) as { degraded: boolean }).degraded));
      if (states.every((d) => d === false)) break;
      if (performance.now() - restored > 10_000) throw new Error('instances did not reconnect to Redis');
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`redis outage: instances back on shared state ${(performance.now() - restored).toFixed(0)} ms after Redis returned`);
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(loads);
    console.log(`redis outage: ${served} requests served, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    // Pushing works again after the outage.
    await apps[0]!.state.change({ actor: 'test', action: 'active_models.set', target: 'active_models' }, (draft) => draft.setActiveModel('language', 'OpenAI/gpt-test'));
    // Timed from when the change returned, as in the push test above: the database write before
    // it took 490 ms once with the whole suite on two cores, which says nothing about the push.
    const committedAt = performance.now();
    for (;;) {
      if (apps.every((app) => app.state.catalog.active.language?.key === 'OpenAI/gpt-test')) break;
      if (performance.now() - committedAt > 2_000) throw new Error('push did not resume');
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(performance.now() - committedAt).toBeLessThan(200 + 50);
  }, 60_000);

  it('writes usage in batches without deadlock under 3 instances x 64 concurrent connections, within the pool bound, losing no row on shutdown', async ({ skip }) => {
    if (!reachable) skip();
    const count = async () => Number((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.usage_records`)).rows[0].n);
    for (const app of apps) await app.usageWriter.flush();
    const before = await count();
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
        peak = Math.max(peak, rows[0].n);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Eight virtual keys used in random order: every batch upserts several keys' spend rows
    // and last-used times, the pattern that deadlocks when instances lock them in different orders.
    const keys = await Promise.all(Array.from({ length: 8 }, (_, i) => newKey({ name: `writer-${i}` })));
    const logStart = h.logLines.length;
    const otherLogStart = otherLogLines.length;
    const perConnection = 8;
    const started = performance.now();
    const statuses: number[] = [];
    await Promise.all(
      urls.flatMap((u) =>
        Array.from({ length: 64 }, async () => {
          for (let i = 0; i < perConnection; i++) {
            const response = await chat(u, { model: 'gpt-test' }, { authorization: `Bearer ${keys[Math.floor(Math.random() * keys.length)]}` });
            statuses.push(response.status);
            await response.arrayBuffer();
          }
        }),
      ),
    );
    const elapsed = performance.now() - started;
    // Shut two instances down the way SIGTERM does (close: drain, flush), right after the load.
    const sent = statuses.length;
    for (const app of others) await app.close();
    await h.gateway.usageWriter.flush();
    sampling = false;
    await sampler;
    const rows = (await count()) - before;
    console.log(
      `usage under 3 x 64 connections: ${sent} requests in ${(elapsed / 1000).toFixed(1)} s (${(sent / (elapsed / 1000)).toFixed(0)} req/s), ` +
        `${rows} rows written, peak PostgreSQL connections ${peak} (bound ${3 * POOL_MAX})`,
    );
    const writerErrors = [...h.logLines.slice(logStart), ...otherLogLines.slice(otherLogStart)].filter((l) => /usage writer error|deadlock/i.test(l));
    expect(writerErrors.map((l) => l.slice(0, 300))).toEqual([]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(rows).toBe(sent);
    expect(peak).toBeLessThanOrEqual(3 * POOL_MAX);
    others = [];
  }, 180_000);
});
