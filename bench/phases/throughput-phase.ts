import { median, round, shuffled } from '../load/statistics.js';
import { runWrk, type WrkRun } from '../load/wrk.js';
import type { ThroughputSummary } from '../report/results-types.js';
import type { CpuChoice } from '../system/children.js';
import { cpuMs, processTree } from '../system/process-stats.js';
import type { RunningTarget, TargetName } from '../targets/target.js';
import { chatBody, MODELS } from '../targets/workload.js';
import { settle, type PhaseContext } from './phase-context.js';

type Mode = 'nonStream' | 'stream';

export interface MeasuredRun extends WrkRun {
  cpuMsPerRequest: number | null;
}

/**
 * One wrk run with the CPU its target's process tree spent on it. The tree is read at the start,
 * so cluster workers and nginx workers (children of the measured pid) are counted.
 * `cpu` places wrk: the load core by default, every core in the unpinned scaling phase.
 */
export const measure = async (
  context: PhaseContext,
  target: RunningTarget,
  body: string,
  durationS: number,
  cpu: CpuChoice = context.loadCpu,
): Promise<MeasuredRun> => {
  const pids = target.pid === null ? [] : processTree(target.pid);
  const cpuBefore = cpuMs(pids);
  const run = await runWrk({
    target,
    bodies: [body],
    connections: context.settings.wrkConnections,
    durationS,
    cpu,
    workDir: context.workDir,
  });
  const cpuAfter = cpuMs(pids);
  const completed = run.requests - run.errors;
  return { ...run, cpuMsPerRequest: pids.length > 0 && completed > 0 ? round((cpuAfter - cpuBefore) / completed, 4) : null };
};

const ratio = (value: number, reference: number | undefined): number | null =>
  reference !== undefined && reference > 0 ? round(value / reference, 3) : null;

export const runThroughputPhase = async (
  context: PhaseContext,
): Promise<{ nonStream: Partial<Record<TargetName, ThroughputSummary>>; stream: Partial<Record<TargetName, ThroughputSummary>> }> => {
  const { settings } = context;
  const result: Record<Mode, Partial<Record<TargetName, ThroughputSummary>>> = { nonStream: {}, stream: {} };
  for (const mode of ['nonStream', 'stream'] as const) {
    const body = chatBody(MODELS.fast, mode === 'stream');
    const runs = new Map<TargetName, MeasuredRun[]>(context.targets.map((target) => [target.name, []]));
    context.log(`throughput (${mode}): warm-up ${settings.wrkWarmupS} s per target`);
    for (const target of context.targets) await measure(context, target, body, settings.wrkWarmupS);
    for (let index = 0; index < settings.wrkRounds; index += 1) {
      for (const target of shuffled(context.targets)) {
        await settle(context, `wrk ${mode} ${target.name}`, true);
        runs.get(target.name)!.push(await measure(context, target, body, settings.wrkDurationS));
      }
    }
    const rps = (name: TargetName) => {
      const list = runs.get(name);
      return list && list.length > 0 ? median(list.map((run) => run.requestsPerSec)) : undefined;
    };
    const floorCpu = (): number | undefined => {
      const list = (runs.get('node-floor') ?? []).map((run) => run.cpuMsPerRequest).filter((entry): entry is number => entry !== null);
      return list.length > 0 ? median(list) : undefined;
    };
    for (const [name, list] of runs) {
      const value = rps(name)!;
      const cpu = list.map((run) => run.cpuMsPerRequest).filter((entry): entry is number => entry !== null);
      const p50 = list.map((run) => run.latencyP50Ms).filter((entry): entry is number => entry !== null);
      const p99 = list.map((run) => run.latencyP99Ms).filter((entry): entry is number => entry !== null);
      result[mode][name] = {
        requestsPerSec: round(value, 1),
        latencyP50Ms: p50.length > 0 ? round(median(p50), 3) : null,
        latencyP99Ms: p99.length > 0 ? round(median(p99), 3) : null,
        errors: list.reduce((sum, run) => sum + run.errors, 0),
        cpuMsPerRequest: cpu.length > 0 ? round(median(cpu), 4) : null,
        vsDirect: name === 'direct' ? null : ratio(value, rps('direct')),
        vsNginx: name === 'nginx' || name === 'direct' ? null : ratio(value, rps('nginx')),
        vsPortkey: name === 'gateway' ? ratio(value, rps('portkey')) : null,
        vsNodeFloor: name === 'node-floor' || name === 'direct' ? null : ratio(value, rps('node-floor')),
        cpuVsNodeFloor: name === 'node-floor' || cpu.length === 0 ? null : ratio(median(cpu), floorCpu()),
        rounds: list,
      };
      context.log(`  ${name.padEnd(10)} ${round(value, 0)} req/s  cpu ${result[mode][name]!.cpuMsPerRequest ?? '—'} ms/req  errors ${result[mode][name]!.errors}`);
    }
  }
  return result;
};
