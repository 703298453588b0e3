import { holdManyStreams } from '../load/streams-client.js';
import type { ManyStreamsResult } from '../report/results-types.js';
import { readRssBytes, sampleRss, toMb } from '../system/process-stats.js';
import type { RunningTarget } from '../targets/target.js';
import { MODELS, SIMULATOR_RULES, SLOW_TOKEN_DELAY_MS } from '../targets/workload.js';
import { settle, type PhaseContext } from './phase-context.js';

/** A proxy holds two sockets per stream (client side and upstream side) plus a few of its own. */
const FDS_PER_STREAM = 2;
const FD_RESERVE = 200;

/** How many streams the file-descriptor limit allows, rounded down to a tidy number. */
export const feasibleStreams = (planned: number, nofileLimit: number | null): { count: number; limitedBy: string | null } => {
  if (nofileLimit === null || planned * FDS_PER_STREAM + FD_RESERVE <= nofileLimit) return { count: planned, limitedBy: null };
  const count = Math.max(100, Math.floor((nofileLimit - FD_RESERVE) / FDS_PER_STREAM / 500) * 500);
  return {
    count,
    limitedBy: `open-file limit ${nofileLimit} (hard; cannot be raised here) allows ~${count.toLocaleString('en-US')} proxied streams`,
  };
};

const chunksOf = (model: string): number => SIMULATOR_RULES.find((rule) => rule.match?.model === model)?.behavior.chunks ?? 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const runManyStreamsPhase = async (
  context: PhaseContext,
  target: RunningTarget,
  nofileLimit: number | null,
): Promise<ManyStreamsResult[]> => {
  if (target.pid === null) return [];
  const results: ManyStreamsResult[] = [];
  for (const planned of context.settings.streamCounts) {
    const { count, limitedBy } = feasibleStreams(planned, nofileLimit);
    // Short streams for small counts; long enough for big counts that the ramp finishes well before the first ones end.
    const model = count > 2000 ? MODELS.slowLong : MODELS.slow;
    const rampBatch = count > 2000 ? 250 : 100;
    const rampIntervalMs = 50;
    const rampMs = Math.ceil(count / rampBatch) * rampIntervalMs;
    await settle(context, `${count} streams`);
    const rssIdle = readRssBytes(target.pid);
    context.log(`many streams: ${count.toLocaleString('en-US')} via ${target.name}${limitedBy ? ` (${limitedBy})` : ''}, idle RSS ${toMb(rssIdle)} MB`);
    const sampler = sampleRss(target.pid, 100);
    const outcome = await holdManyStreams({
      target,
      count,
      model,
      rampBatch,
      rampIntervalMs,
      timeoutMs: rampMs + chunksOf(model) * SLOW_TOKEN_DELAY_MS + 30_000,
      tokenDelayMs: SLOW_TOKEN_DELAY_MS,
    });
    const { peakBytes } = sampler.stop();
    // Let sockets close and the heap shrink a little before the "after" reading.
    await sleep(2000);
    const result: ManyStreamsResult = {
      ...outcome,
      target: target.name,
      plannedCount: planned,
      limitedBy,
      rssIdleMb: toMb(rssIdle),
      rssPeakMb: toMb(peakBytes),
      rssAfterMb: toMb(readRssBytes(target.pid)),
    };
    context.log(
      `  peak RSS ${result.rssPeakMb} MB, peak open ${result.peakOpen}, completed ${result.completed}, errors ${result.errors}, max stall ${result.maxStallMs} ms`,
    );
    results.push(result);
  }
  return results;
};
