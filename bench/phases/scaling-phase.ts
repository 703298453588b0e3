import { cpus } from 'node:os';
import { median, round, shuffled } from '../load/statistics.js';
import type { ScalingEntry, ScalingMeasurement, ScalingRound, ScalingSummary, ScalingTargetName } from '../report/results-types.js';
import type { CpuChoice } from '../system/children.js';
import { busyPctBetween, readCpuTimes } from '../system/idle.js';
import { processTree } from '../system/process-stats.js';
import { startDirect } from '../targets/direct.js';
import { startGatewayWorkers } from '../targets/gateway.js';
import { startNginx } from '../targets/nginx.js';
import type { RunningTarget, TargetContext, TargetStart } from '../targets/target.js';
import { chatUrl } from '../targets/target.js';
import { verifyChatEndpoint } from '../targets/verify-target.js';
import { chatBody, MODELS } from '../targets/workload.js';
import { startUpstream } from '../upstream/start-upstream.js';
import { measure } from './throughput-phase.js';
import { settle, type PhaseContext } from './phase-context.js';

/** The counts compared: the goal is `--workers 2` on 2 cores against one worker. */
export const SCALING_WORKERS = [1, 2] as const;

/**
 * The ratio divides two medians taken with every core shared: one short round per target (a
 * quick run's throughput setting) is too noisy for that, so the phase runs at least three.
 */
export const MIN_SCALING_ROUNDS = 3;

export interface ScalingOptions {
  root: string;
  /** Which proxies to start (the run's --targets); the simulator alone is always measured as the ceiling. */
  nginx: boolean;
  gateway: boolean;
}

export const scalingLabel = (target: ScalingTargetName, workers: number | null): string =>
  workers === null ? `${target} (simulator alone)` : `${target} ×${workers} worker${workers === 1 ? '' : 's'}`;

const summarize = (runs: ScalingRound[]): ScalingMeasurement | null => {
  if (runs.length === 0) return null;
  const pick = (values: Array<number | null>, digits: number): number | null => {
    const present = values.filter((value): value is number => value !== null);
    return present.length > 0 ? round(median(present), digits) : null;
  };
  return {
    requestsPerSec: round(median(runs.map((run) => run.requestsPerSec)), 1),
    latencyP50Ms: pick(runs.map((run) => run.latencyP50Ms), 3),
    latencyP99Ms: pick(runs.map((run) => run.latencyP99Ms), 3),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    cpuMsPerRequest: pick(runs.map((run) => run.cpuMsPerRequest), 4),
    machineBusyPct: pick(runs.map((run) => run.machineBusyPct), 1),
    rounds: runs,
  };
};

/** Pure: 2-worker ÷ 1-worker req/s per proxy and mode, from the entries of one run. */
export const scalingRatios = (entries: ScalingEntry[]): ScalingSummary['ratios'] => {
  const ratios: ScalingSummary['ratios'] = {};
  for (const target of ['nginx', 'gateway'] as const) {
    const one = entries.find((entry) => entry.target === target && entry.workers === 1 && entry.status === 'ok');
    const two = entries.find((entry) => entry.target === target && entry.workers === 2 && entry.status === 'ok');
    if (!one && !two) continue;
    const of = (mode: 'nonStream' | 'stream'): number | null => {
      const base = one?.[mode]?.requestsPerSec;
      const scaled = two?.[mode]?.requestsPerSec;
      return base !== undefined && scaled !== undefined && base > 0 ? round(scaled / base, 3) : null;
    };
    ratios[target] = { nonStream: of('nonStream'), stream: of('stream') };
  }
  return ratios;
};

interface Planned {
  target: ScalingTargetName;
  workers: number | null;
  start(context: TargetContext): Promise<TargetStart>;
}

const plan = (options: ScalingOptions): Planned[] => [
  { target: 'direct', workers: null, start: startDirect },
  ...(options.nginx ? SCALING_WORKERS.map((workers) => ({ target: 'nginx' as const, workers, start: (context: TargetContext) => startNginx(context, workers) })) : []),
  ...(options.gateway
    ? SCALING_WORKERS.map((workers) => ({ target: 'gateway' as const, workers, start: (context: TargetContext) => startGatewayWorkers(context, workers) }))
    : []),
];

/**
 * Throughput with 1 and 2 workers, everything unpinned: a 2-worker target needs both cores, so
 * the targets, wrk and a simulator of its own (the run's simulator is pinned to the load core)
 * share the machine as they would in production on a 2-core host. All targets run side by side
 * and are visited in shuffled rounds like the throughput phase, so drift spreads over all of them.
 */
export const runScalingPhase = async (context: PhaseContext, options: ScalingOptions): Promise<ScalingSummary> => {
  const { settings } = context;
  const cores = cpus().length;
  const summary: ScalingSummary = {
    pinned: false,
    cores,
    connections: settings.wrkConnections,
    rounds: Math.max(settings.wrkRounds, MIN_SCALING_ROUNDS),
    durationS: settings.wrkDurationS,
    reason: null,
    entries: [],
    ratios: {},
  };
  if (cores < 2) return { ...summary, reason: `needs ≥ 2 cores, this machine has ${cores}` };
  if (!options.nginx && !options.gateway) return { ...summary, reason: 'neither nginx nor gateway in --targets' };
  // Affinity is inherited from the (pinned) bench process: hand every child all cores explicitly.
  const everyCore: CpuChoice = context.loadCpu === null ? null : `0-${cores - 1}`;
  const upstream = await startUpstream(options.root, everyCore);
  const targetContext: TargetContext = { root: options.root, upstreamUrl: upstream.url, cpu: everyCore, workDir: context.workDir, baselineRoot: null };
  const running: Array<{ entry: ScalingEntry; target: RunningTarget; runs: Record<'nonStream' | 'stream', ScalingRound[]> }> = [];
  const measureRound = async (target: RunningTarget, body: string): Promise<ScalingRound> => {
    const before = readCpuTimes();
    const run = await measure(context, target, body, settings.wrkDurationS, everyCore);
    return { ...run, machineBusyPct: busyPctBetween(before, readCpuTimes()) };
  };
  try {
    for (const planned of plan(options)) {
      const label = scalingLabel(planned.target, planned.workers);
      const entry: ScalingEntry = { target: planned.target, workers: planned.workers, status: 'ok', processes: null, nonStream: null, stream: null };
      summary.entries.push(entry);
      const started = await planned.start(targetContext);
      const problem = started.status === 'ok' ? await verifyChatEndpoint(chatUrl(started.target), started.target.headers) : started.reason;
      if (started.status === 'ok' && problem) await started.target.stop();
      if (problem || started.status !== 'ok') {
        entry.status = 'skipped';
        entry.reason = problem ?? 'did not start';
        context.log(`  ${label}: skipped: ${entry.reason}`);
        continue;
      }
      entry.processes = started.target.pid === null ? null : processTree(started.target.pid).length;
      running.push({ entry, target: started.target, runs: { nonStream: [], stream: [] } });
      context.log(`  ${label}: ok ${chatUrl(started.target)}${entry.processes === null ? '' : ` (${entry.processes} process${entry.processes === 1 ? '' : 'es'})`}`);
    }
    for (const mode of ['nonStream', 'stream'] as const) {
      const body = chatBody(MODELS.fast, mode === 'stream');
      context.log(`scaling (${mode}, unpinned): warm-up ${settings.wrkWarmupS} s per target`);
      for (const item of running) await measure(context, item.target, body, settings.wrkWarmupS, everyCore);
      for (let index = 0; index < summary.rounds; index += 1) {
        for (const item of shuffled(running)) {
          await settle(context, `scaling ${mode} ${scalingLabel(item.entry.target, item.entry.workers)}`, true);
          item.runs[mode].push(await measureRound(item.target, body));
        }
      }
      for (const item of running) {
        const result = summarize(item.runs[mode]);
        item.entry[mode] = result;
        context.log(
          `  ${scalingLabel(item.entry.target, item.entry.workers).padEnd(22)} ${round(result?.requestsPerSec ?? 0, 0)} req/s  cpu ${result?.cpuMsPerRequest ?? '—'} ms/req  machine busy ${result?.machineBusyPct ?? '—'}%  errors ${result?.errors ?? 0}`,
        );
      }
    }
  } finally {
    await Promise.all(running.map((item) => item.target.stop().catch(() => undefined)));
    await upstream.child.stop().catch(() => undefined);
  }
  summary.ratios = scalingRatios(summary.entries);
  for (const [target, ratio] of Object.entries(summary.ratios)) {
    context.log(`  ${target} 2 vs 1 worker: non-stream ${ratio.nonStream ?? '—'}×, stream ${ratio.stream ?? '—'}×`);
  }
  return summary;
};
