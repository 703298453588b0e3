import { StreamTimingClient, type StreamTimingRound } from '../load/stream-timing.js';
import { median, round, shuffled } from '../load/statistics.js';
import type { StreamingSummary } from '../report/results-types.js';
import type { TargetName } from '../targets/target.js';
import { settle, type PhaseContext } from './phase-context.js';

export const runStreamingPhase = async (context: PhaseContext): Promise<Partial<Record<TargetName, StreamingSummary>>> => {
  const { settings } = context;
  const clients = new Map(context.targets.map((target) => [target.name, new StreamTimingClient(target)] as const));
  const rounds = new Map<TargetName, StreamTimingRound[]>(context.targets.map((target) => [target.name, []]));
  try {
    // Warm, as the latency phase is: without it the first few hundred streams run the relay
    // in V8's lower tiers and the TTFT measured is start-up, not the gateway (issue 17).
    const warmup = settings.streamWarmupRequests ?? 0;
    if (warmup > 0) context.log(`streaming: warm-up ${warmup} unpaced streams per target`);
    for (const target of context.targets) await clients.get(target.name)!.warm(warmup);
    for (const target of context.targets) await clients.get(target.name)!.round(2);
    await settle(context, 'streaming');
    for (let index = 0; index < settings.streamRounds; index += 1) {
      for (const target of shuffled(context.targets)) {
        rounds.get(target.name)!.push(await clients.get(target.name)!.round(settings.streamsPerRound));
      }
    }
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close().catch(() => undefined)));
  }
  const baseline = rounds.get('direct') ?? [];
  const summaries: Partial<Record<TargetName, StreamingSummary>> = {};
  for (const [name, list] of rounds) {
    const added =
      name === 'direct' || baseline.length === 0 ? null : round(median(list.map((entry, index) => entry.ttftP50Ms - baseline[index].ttftP50Ms)), 4);
    summaries[name] = {
      ttftP50Ms: round(median(list.map((entry) => entry.ttftP50Ms)), 4),
      addedTtftP50Ms: added,
      gapP50Ms: round(median(list.map((entry) => entry.gapP50Ms)), 3),
      gapP99Ms: round(median(list.map((entry) => entry.gapP99Ms)), 3),
      maxGapMs: round(Math.max(...list.map((entry) => entry.maxGapMs).filter(Number.isFinite)), 3),
      errors: list.reduce((sum, entry) => sum + entry.errors, 0),
      rounds: list.map((entry) => ({ ...entry, ttftP50Ms: round(entry.ttftP50Ms, 4), gapP50Ms: round(entry.gapP50Ms, 3), gapP99Ms: round(entry.gapP99Ms, 3), maxGapMs: round(entry.maxGapMs, 3) })),
    };
    context.log(`  ${name.padEnd(10)} TTFT p50 ${summaries[name]!.ttftP50Ms} ms  added ${added ?? '—'}  gap p99 ${summaries[name]!.gapP99Ms} ms`);
  }
  return summaries;
};
