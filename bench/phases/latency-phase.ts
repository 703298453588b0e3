import { LatencyClient, type LatencyRound } from '../load/latency-client.js';
import { median, round, shuffled } from '../load/statistics.js';
import type { LatencySummary } from '../report/results-types.js';
import type { TargetName } from '../targets/target.js';
import { settle, type PhaseContext } from './phase-context.js';

/** Paired difference per round (same round, same machine state), then the median over rounds. */
const addedMedian = (rounds: LatencyRound[], baseline: LatencyRound[], pick: (entry: LatencyRound) => number): number =>
  round(median(rounds.map((entry, index) => pick(entry) - pick(baseline[index]))), 4);

export const runLatencyPhase = async (context: PhaseContext): Promise<Partial<Record<TargetName, LatencySummary>>> => {
  const { settings } = context;
  const clients = new Map(context.targets.map((target) => [target.name, new LatencyClient(target)] as const));
  const rounds = new Map<TargetName, LatencyRound[]>(context.targets.map((target) => [target.name, []]));
  try {
    context.log(`latency: warm-up ${settings.latencyWarmupRequests} requests per target`);
    for (const target of context.targets) await clients.get(target.name)!.round(settings.latencyWarmupRequests);
    await settle(context, 'latency');
    for (let index = 0; index < settings.latencyRounds; index += 1) {
      for (const target of shuffled(context.targets)) {
        rounds.get(target.name)!.push(await clients.get(target.name)!.round(settings.latencyRequests));
      }
    }
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close().catch(() => undefined)));
  }
  const baseline = rounds.get('direct') ?? [];
  const summaries: Partial<Record<TargetName, LatencySummary>> = {};
  for (const [name, list] of rounds) {
    summaries[name] = {
      p50Ms: round(median(list.map((entry) => entry.p50Ms)), 4),
      p99Ms: round(median(list.map((entry) => entry.p99Ms)), 4),
      meanMs: round(median(list.map((entry) => entry.meanMs)), 4),
      addedP50Ms: name === 'direct' || baseline.length === 0 ? null : addedMedian(list, baseline, (entry) => entry.p50Ms),
      addedP99Ms: name === 'direct' || baseline.length === 0 ? null : addedMedian(list, baseline, (entry) => entry.p99Ms),
      errors: list.reduce((sum, entry) => sum + entry.errors, 0),
      rounds: list.map((entry) => ({ ...entry, p50Ms: round(entry.p50Ms, 4), p99Ms: round(entry.p99Ms, 4), meanMs: round(entry.meanMs, 4) })),
    };
    context.log(`  ${name.padEnd(10)} p50 ${summaries[name]!.p50Ms} ms  p99 ${summaries[name]!.p99Ms} ms  added p50 ${summaries[name]!.addedP50Ms ?? '—'}`);
  }
  return summaries;
};
