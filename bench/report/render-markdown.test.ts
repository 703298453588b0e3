import { describe, expect, it } from 'vitest';
import type { BenchResults, ManyStreamsResult, ScalingEntry, ScalingSummary } from './results-types.js';
import { scalingRatios } from '../phases/scaling-phase.js';
import { evaluateTargets } from './evaluate-targets.js';
import { SECTION_END, SECTION_START, renderChecksTable, renderResultsSection, replaceResultsSection } from './render-markdown.js';
import { renderChart } from './render-chart.js';

const streams = (count: number, rssPeakMb: number, overrides: Partial<ManyStreamsResult> = {}): ManyStreamsResult => ({
  target: 'gateway',
  plannedCount: count,
  requested: count,
  completed: count,
  errors: 0,
  peakOpen: count,
  maxGapMs: 1004,
  maxStallMs: 4,
  durationS: 10,
  firstErrors: [],
  limitedBy: null,
  rssIdleMb: 80,
  rssPeakMb,
  rssAfterMb: 90,
  ...overrides,
});

const scalingEntry = (target: ScalingEntry['target'], workers: number | null, nonStreamRps: number, streamRps: number, errors = 0): ScalingEntry => {
  const measurement = (requestsPerSec: number) => ({ requestsPerSec, latencyP50Ms: 4, latencyP99Ms: 9, errors, cpuMsPerRequest: target === 'direct' ? null : 0.1, machineBusyPct: 97, rounds: [] });
  return { target, workers, status: 'ok', processes: target === 'direct' ? null : workers! + 1, nonStream: measurement(nonStreamRps), stream: measurement(streamRps) };
};

/** Gateway and nginx req/s with 1 and 2 workers; the ratios come from the phase's own function. */
const scaling = (gateway: [number, number], nginx: [number, number], errors = 0): ScalingSummary => {
  const entries = [
    scalingEntry('direct', null, 30000, 28000),
    scalingEntry('nginx', 1, nginx[0], nginx[0]),
    scalingEntry('nginx', 2, nginx[1], nginx[1]),
    scalingEntry('gateway', 1, gateway[0], gateway[0] * 0.8),
    scalingEntry('gateway', 2, gateway[1], gateway[1] * 0.8, errors),
  ];
  return { pinned: false, cores: 2, connections: 64, rounds: 3, durationS: 10, reason: null, entries, ratios: scalingRatios(entries) };
};

const results = (overrides: Partial<BenchResults> = {}): BenchResults => ({
  schemaVersion: 1,
  kind: 'full',
  startedAt: '2026-01-31T12:00:00.000Z',
  finishedAt: '2026-01-31T12:30:00.000Z',
  durationS: 1800,
  machine: { cpuModel: 'Test CPU', cores: 2, memoryMb: 4096, kernel: '6.1', node: 'v20.0.0', nginx: '1.22.1', wrk: '4.1.0', gitCommit: 'abc1234', gitDirty: false, nofileLimit: 65536 },
  load: {
    before: { at: '2026-01-31T12:00:00.000Z', loadAvg: [0.1, 0.1, 0.1], uptimeS: 100 },
    after: { at: '2026-01-31T12:30:00.000Z', loadAvg: [0.9, 0.5, 0.2], uptimeS: 1900 },
    idleChecks: [{ phase: 'latency', idlePct: 97, waitedS: 1, reachedThreshold: true, loadAvg1: 0.1 }],
    pinned: true,
    targetCpu: 0,
    loadCpu: 1,
  },
  settings: {
    kind: 'full', latencyRounds: 15, latencyRequests: 1000, latencyWarmupRequests: 2000, streamRounds: 9, streamsPerRound: 10, streamWarmupRequests: 3000,
    wrkConnections: 64, wrkRounds: 3, wrkDurationS: 10, wrkWarmupS: 3, streamCounts: [1000, 10_000], soakMinutes: 15, idleThresholdPct: 90, idleMaxWaitS: 30,
  },
  targets: [
    { name: 'direct', label: 'direct', status: 'ok', version: null, notes: [] },
    { name: 'nginx', label: 'nginx', status: 'ok', version: '1.22.1', notes: [] },
    { name: 'portkey', label: 'Portkey', status: 'ok', version: '1.15.2', notes: [] },
    { name: 'gateway', label: 'gateway', status: 'ok', version: '0.1.0', notes: [] },
  ],
  latency: {
    direct: { p50Ms: 0.05, p99Ms: 0.1, meanMs: 0.06, addedP50Ms: null, addedP99Ms: null, errors: 0, rounds: [] },
    portkey: { p50Ms: 1.1, p99Ms: 3, meanMs: 1.2, addedP50Ms: 1.05, addedP99Ms: 2.9, errors: 0, rounds: [] },
    gateway: { p50Ms: 0.2, p99Ms: 0.6, meanMs: 0.25, addedP50Ms: 0.15, addedP99Ms: 0.5, errors: 0, rounds: [] },
  },
  throughput: {
    nonStream: {
      direct: { requestsPerSec: 30000, latencyP50Ms: 2, latencyP99Ms: 3, errors: 0, cpuMsPerRequest: null, vsDirect: null, vsNginx: null, vsPortkey: null, rounds: [] },
      nginx: { requestsPerSec: 20000, latencyP50Ms: 2, latencyP99Ms: 3, errors: 0, cpuMsPerRequest: 0.04, vsDirect: 0.67, vsNginx: null, vsPortkey: null, rounds: [] },
      gateway: { requestsPerSec: 12000, latencyP50Ms: 5, latencyP99Ms: 9, errors: 0, cpuMsPerRequest: 0.08, vsDirect: 0.4, vsNginx: 0.6, vsPortkey: 12, rounds: [] },
    },
    stream: {
      nginx: { requestsPerSec: 15000, latencyP50Ms: 3, latencyP99Ms: 4, errors: 0, cpuMsPerRequest: 0.05, vsDirect: 0.6, vsNginx: null, vsPortkey: null, rounds: [] },
      gateway: { requestsPerSec: 9000, latencyP50Ms: 6, latencyP99Ms: 10, errors: 0, cpuMsPerRequest: 0.1, vsDirect: 0.36, vsNginx: 0.6, vsPortkey: null, rounds: [] },
    },
  },
  protocolPaths: [
    { scenario: 'openai', path: '/v1/chat/completions', reference: 'openai', requestsPerSec: 12000, cpuMsPerRequest: 0.08, cpuVsReference: 1, errors: 0 },
    { scenario: 'anthropic-translate', path: '/v1/messages', reference: 'openai', requestsPerSec: 11000, cpuMsPerRequest: 0.088, cpuVsReference: 1.1, errors: 0 },
    { scenario: 'responses-chat', path: '/v1/responses', reference: 'openai', requestsPerSec: 10000, cpuMsPerRequest: 0.096, cpuVsReference: 1.2, errors: 0 },
  ],
  streaming: {
    direct: { ttftP50Ms: 0.6, addedTtftP50Ms: null, gapP50Ms: 5, gapP99Ms: 6, maxGapMs: 7, errors: 0, rounds: [] },
    gateway: { ttftP50Ms: 0.8, addedTtftP50Ms: 0.2, gapP50Ms: 5, gapP99Ms: 6, maxGapMs: 7, errors: 0, rounds: [] },
  },
  manyStreams: [streams(1000, 120), streams(10_000, 480)],
  soak: { target: 'gateway', minutes: 15, connections: 32, rssAfterWarmupMb: 100, rssEndMb: 105, rssMaxMb: 110, growthPct: 5, requests: 1e6, errors: 0, requestsPerSec: 1100, samples: [] },
  scaling: scaling([5000, 9500], [10000, 19000]),
  ...overrides,
});

const statuses = (input: BenchResults) => Object.fromEntries(evaluateTargets(input).map((row) => [row.id, row.status]));

describe('benchmark targets table', () => {
  it('passes every target when every number is inside its goal', () => {
    expect(statuses(results())).toEqual({
      'added-p50': 'pass',
      'added-p99': 'pass',
      'rps-vs-nginx': 'pass',
      'stream-rps-vs-nginx': 'pass',
      'cpu-vs-nginx-nonStream': 'pass',
      'cpu-vs-nginx-stream': 'pass',
      'protocol-path-cpu': 'pass',
      'workers-2': 'pass',
      'added-ttft': 'pass',
      'rss-1k': 'pass',
      'rss-10k': 'pass',
      'rps-vs-portkey': 'pass',
      'p99-vs-portkey': 'pass',
      'soak-growth': 'pass',
    });
    const table = renderChecksTable(results());
    expect(table).not.toContain('fail');
    expect(table).toContain('| Added p50 latency, 1 connection | ≤ 0.25 ms | 0.150 ms | ✅ pass |');
  });

  it('fails each target that is missed, including on stream errors and a tie with Portkey', () => {
    const base = results();
    const bad = results({
      latency: {
        ...base.latency,
        gateway: { ...base.latency.gateway!, addedP50Ms: 0.26, addedP99Ms: 1.2, p99Ms: 3 },
      },
      throughput: {
        nonStream: { ...base.throughput.nonStream, gateway: { ...base.throughput.nonStream.gateway!, vsNginx: 0.44, vsPortkey: 9.9, cpuMsPerRequest: 0.101 } },
        stream: { ...base.throughput.stream, gateway: { ...base.throughput.stream.gateway!, vsNginx: 0.449, cpuMsPerRequest: 0.126 } },
      },
      protocolPaths: [base.protocolPaths![0]!, { ...base.protocolPaths![1]!, cpuVsReference: 1.51 }],
      streaming: { ...base.streaming, gateway: { ...base.streaming.gateway!, addedTtftP50Ms: 0.31 } },
      manyStreams: [streams(1000, 149, { errors: 1, completed: 999 }), streams(10_000, 601)],
      soak: { ...base.soak!, growthPct: 10.5 },
      scaling: scaling([5000, 8950], [10000, 19000]),
    });
    const rows = statuses(bad);
    expect(Object.values(rows).every((status) => status === 'fail')).toBe(true);
    expect(renderChecksTable(bad)).toContain('| Peak RSS with 1,000 open streams | ≤ 150 MB, no errors | 149.0 MB, 1 errors | ❌ fail |');
  });

  it('marks what was not measured as n/a with the reason', () => {
    const base = results();
    const quick = results({
      kind: 'quick',
      targets: base.targets.map((target) => (target.name === 'portkey' ? { ...target, status: 'skipped', reason: 'streaming is broken' } : target)),
      manyStreams: [streams(1000, 100), streams(10_000, 400, { requested: 9500, completed: 9500, limitedBy: 'open-file limit 20000' })],
      soak: null,
    });
    const rows = evaluateTargets(quick);
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId['rss-1k'].status).toBe('pass');
    expect(byId['rss-10k'].status).toBe('n/a');
    expect(byId['rss-10k'].measured).toContain('9,500 streams (open-file limit 20000)');
    expect(byId['rps-vs-portkey']).toMatchObject({ status: 'n/a', measured: 'Portkey skipped: streaming is broken' });
    expect(byId['p99-vs-portkey'].status).toBe('n/a');
    expect(byId['soak-growth']).toMatchObject({ status: 'n/a', measured: 'not run (quick)' });
    // Already over the limit with fewer streams than the goal names: that is a fail, not n/a.
    const over = results({ manyStreams: [streams(10_000, 700, { requested: 9500, completed: 9500, limitedBy: 'open-file limit 20000' })] });
    expect(statuses(over)['rss-10k']).toBe('fail');
    expect(statuses(results({ targets: base.targets.filter((target) => target.name !== 'portkey') }))['rps-vs-portkey']).toBe('n/a');
  });

  it('replaces only the generated section of the doc and lists skipped targets', () => {
    const doc = `# Benchmarks\n\nHand-written intro.\n\n${SECTION_START}\nold numbers\n${SECTION_END}\n\nTrailing notes.\n`;
    const base = results();
    const section = renderResultsSection(results({ targets: base.targets.map((t) => (t.name === 'portkey' ? { ...t, status: 'skipped', reason: 'not installed' } : t)) }));
    const updated = replaceResultsSection(doc, section);
    expect(updated.startsWith('# Benchmarks\n\nHand-written intro.\n\n')).toBe(true);
    expect(updated.endsWith('\n\nTrailing notes.\n')).toBe(true);
    expect(updated).not.toContain('old numbers');
    expect(updated).toContain('- Portkey gateway: not installed');
    expect(replaceResultsSection('# Only intro\n', section)).toBe(`# Only intro\n\n${section}\n`);
  });

  it('shows the gateway against the Node floor when the floor was measured, and no such table otherwise', () => {
    const base = results();
    expect(renderResultsSection(base)).not.toContain('Against the Node floor');
    const withFloor = results({
      targets: [...base.targets, { name: 'node-floor', label: 'node-floor', status: 'ok', version: 'v20.0.0', notes: [] }],
      latency: { ...base.latency, 'node-floor': { p50Ms: 0.12, p99Ms: 0.3, meanMs: 0.13, addedP50Ms: 0.07, addedP99Ms: 0.2, errors: 0, rounds: [] } },
      throughput: {
        nonStream: {
          ...base.throughput.nonStream,
          'node-floor': { requestsPerSec: 20000, latencyP50Ms: 3, latencyP99Ms: 4, errors: 0, cpuMsPerRequest: 0.05, vsDirect: 0.67, vsNginx: 0.8, vsPortkey: null, rounds: [] },
          gateway: { ...base.throughput.nonStream.gateway!, vsNodeFloor: 0.6, cpuVsNodeFloor: 1.6 },
        },
        stream: {},
      },
    });
    const section = renderResultsSection(withFloor);
    expect(section).toContain('### Against the Node floor');
    expect(section).toMatch(/\| sk-llm-gateway \| 0\.60× \| — \| 1\.60× \| — \| 0\.080 \|/);
  });

  it('lists each protocol path against its passthrough and says which path is worst', () => {
    const section = renderResultsSection(results());
    expect(section).toContain('### Protocol paths through the gateway');
    expect(section).toContain('| anthropic-translate | `/v1/messages` | 11,000 | 0.0880 | 1.10× openai | 0 |');
    expect(section).toContain('| openai | `/v1/chat/completions` | 12,000 | 0.0800 | 1.00× (reference) | 0 |');
    const row = evaluateTargets(results()).find((entry) => entry.id === 'protocol-path-cpu')!;
    expect(row.measured).toBe('worst 1.20× (responses-chat)');
    expect(renderResultsSection(results({ protocolPaths: undefined }))).not.toContain('### Protocol paths');
    expect(statuses(results({ protocolPaths: undefined }))['protocol-path-cpu']).toBe('n/a');
  });

  it('judges --workers 2 on the gateway\'s non-stream ratio and shows nginx\'s beside it', () => {
    const row = (input: BenchResults) => evaluateTargets(input).find((entry) => entry.id === 'workers-2')!;
    expect(row(results())).toMatchObject({ goal: '≥ 1.8×', status: 'pass', measured: '1.90× (stream 1.90×); nginx 2 vs 1 worker 1.90×, stream 1.90×' });
    // Exactly at the goal passes; just under it fails; errors on the gateway fail whatever the ratio.
    expect(row(results({ scaling: scaling([5000, 9000], [10000, 19000]) })).status).toBe('pass');
    expect(row(results({ scaling: scaling([5000, 8990], [10000, 19000]) })).status).toBe('fail');
    expect(row(results({ scaling: scaling([5000, 9500], [10000, 19000], 3) }))).toMatchObject({ status: 'fail', measured: expect.stringContaining('6 errors') });
    // Not run: why, per kind of run; older results files have no scaling field at all.
    expect(row(results({ kind: 'quick', scaling: null }))).toMatchObject({ status: 'n/a', measured: 'not run (quick; --scaling runs it)' });
    const older = results();
    delete older.scaling;
    expect(row(older)).toMatchObject({ status: 'n/a', measured: 'not run (results predate the scaling phase)' });
    expect(renderResultsSection(older)).toContain('### Scaling: 1 vs 2 workers, unpinned\n\n_Not run (these results predate the scaling phase)._');
    expect(row(results({ scaling: null }))).toMatchObject({ status: 'n/a', measured: 'not run (--no-scaling)' });
    const oneCore: ScalingSummary = { ...scaling([1, 1], [1, 1]), reason: 'needs ≥ 2 cores, this machine has 1', entries: [], ratios: {} };
    expect(row(results({ scaling: oneCore }))).toMatchObject({ status: 'n/a', measured: 'needs ≥ 2 cores, this machine has 1' });
    // A gateway that could not start: n/a with its reason, nginx's ratio still reported.
    const base = scaling([5000, 9500], [10000, 19000]);
    const entries = base.entries.map((entry) => (entry.target === 'gateway' && entry.workers === 2 ? { ...entry, status: 'skipped' as const, reason: 'not every worker accepts the bench key', nonStream: null, stream: null } : entry));
    const skipped = results({ scaling: { ...base, entries, ratios: scalingRatios(entries) } });
    expect(row(skipped)).toMatchObject({ status: 'n/a', measured: 'gateway skipped: not every worker accepts the bench key; nginx 2 vs 1 worker 1.90×, stream 1.90×' });
    expect(renderResultsSection(skipped)).toContain('- sk-llm-gateway with 2 workers: skipped, not every worker accepts the bench key');
  });

  it('renders the scaling table with the ratio on the 2-worker rows', () => {
    const section = renderResultsSection(results());
    expect(section).toContain('### Scaling: 1 vs 2 workers, unpinned (wrk, 64 connections; 3 × 10 s per target and mode, median)');
    expect(section).toContain('Nothing pinned: the targets, `wrk` and a simulator of their own share all 2 cores');
    expect(section).toContain('| direct (simulator) | — | — | 30,000 |  | — | 9.00 | 97 | 28,000 |  | — | 97 | 0 |');
    expect(section).toContain('| sk-llm-gateway | 1 | 2 | 5,000 |  | 0.100 | 9.00 | 97 | 4,000 |  | 0.100 | 97 | 0 |');
    expect(section).toContain('| sk-llm-gateway | 2 | 3 | 9,500 | 1.90× | 0.100 | 9.00 | 97 | 7,600 | 1.90× | 0.100 | 97 | 0 |');
    // A results file from before the busy figure existed renders a dash, not "undefined".
    const base = scaling([5000, 9500], [10000, 19000]);
    const withoutBusy = base.entries.map((entry) => ({ ...entry, nonStream: entry.nonStream && { ...entry.nonStream, machineBusyPct: undefined } }));
    expect(renderResultsSection(results({ scaling: { ...base, entries: withoutBusy } }))).toContain('| sk-llm-gateway | 2 | 3 | 9,500 | 1.90× | 0.100 | 9.00 | — | 7,600 |');
    expect(section).toContain('| nginx proxy_pass | 2 | 3 | 19,000 | 1.90× |');
    expect(renderResultsSection(results({ kind: 'quick', scaling: null }))).toContain('_Not run in `--quick` (add `--scaling`)._');
  });

  it('renders a well-formed SVG chart that escapes text', () => {
    const svg = renderChart(results());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('sk-llm-gateway');
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
