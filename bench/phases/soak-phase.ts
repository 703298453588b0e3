import { median, round } from '../load/statistics.js';
import { runWrk } from '../load/wrk.js';
import type { SoakResult } from '../report/results-types.js';
import { readRssBytes, sampleRss, toMb } from '../system/process-stats.js';
import type { RunningTarget } from '../targets/target.js';
import { chatBody, MODELS } from '../targets/workload.js';
import type { PhaseContext } from './phase-context.js';

const SEGMENT_S = 60;
/** Warm-up before the soak proper: 1 min, shorter only for very short (test) soaks. */
const warmupSeconds = (soakSeconds: number): number => Math.min(60, Math.max(5, Math.round(soakSeconds / 4)));
const CONNECTIONS = 32;
const SAMPLE_MS = 2000;
/** RSS at an instant depends on where the GC happens to be: compare medians over a window. */
const WINDOW_S = 30;

const windowMedianMb = (samples: Array<{ t: number; bytes: number }>, fromMs: number, toMs: number): number | null => {
  const picked = samples.filter((sample) => sample.t >= fromMs && sample.t <= toMs).map((sample) => sample.bytes);
  return picked.length > 0 ? toMb(median(picked)) : null;
};

/** Steady mixed load (alternating stream / non-stream) on one target with RSS sampled throughout. */
export const runSoakPhase = async (context: PhaseContext, target: RunningTarget): Promise<SoakResult | null> => {
  const minutes = context.settings.soakMinutes;
  if (minutes <= 0 || target.pid === null) return null;
  const bodies = [chatBody(MODELS.fast, false), chatBody(MODELS.fast, true)];
  const sampler = sampleRss(target.pid, SAMPLE_MS);
  const soakStarted = performance.now();
  let requests = 0;
  let errors = 0;
  let loadSeconds = 0;
  const segment = (seconds: number) =>
    runWrk({ target, bodies, connections: CONNECTIONS, durationS: seconds, cpu: context.loadCpu, workDir: context.workDir });
  const total = Math.round(minutes * 60);
  const warmupS = warmupSeconds(total);
  context.log(`soak: ${warmupS} s warm-up, then ${minutes} min at ${CONNECTIONS} connections on ${target.name}`);
  const warm = await segment(warmupS);
  // Sample times count from the sampler's start: measure where warm-up really ended.
  const warmEndMs = performance.now() - soakStarted;
  const windowMs = Math.min(WINDOW_S * 1000, warmEndMs / 2);
  for (let elapsed = 0, index = 0; elapsed < total && index < 24 * 60; index += 1) {
    const seconds = Math.min(SEGMENT_S, total - elapsed);
    const run = await segment(Math.max(1, seconds));
    requests += run.requests;
    errors += run.errors;
    loadSeconds += run.durationS;
    elapsed += seconds;
    context.log(`  soak ${elapsed}/${total} s: ${round(run.requestsPerSec, 0)} req/s, RSS ${toMb(readRssBytes(target.pid!))} MB`);
  }
  const { samples } = sampler.stop();
  const lastMs = samples.length > 0 ? samples[samples.length - 1].t : 0;
  const rssAfterWarmupMb = windowMedianMb(samples, warmEndMs - windowMs, warmEndMs);
  const rssEndMb = windowMedianMb(samples, lastMs - windowMs, lastMs);
  const afterWarm = samples.filter((sample) => sample.t >= warmEndMs);
  return {
    target: target.name,
    minutes,
    connections: CONNECTIONS,
    rssAfterWarmupMb,
    rssEndMb,
    rssMaxMb: afterWarm.length > 0 ? toMb(Math.max(...afterWarm.map((sample) => sample.bytes))) : null,
    growthPct: rssAfterWarmupMb && rssEndMb ? round(((rssEndMb - rssAfterWarmupMb) / rssAfterWarmupMb) * 100, 2) : null,
    requests,
    errors: errors + warm.errors,
    requestsPerSec: loadSeconds > 0 ? round(requests / loadSeconds, 1) : 0,
    samples: samples.map((sample) => ({ t: round(sample.t / 1000, 1), rssMb: toMb(sample.bytes) ?? 0 })),
  };
};
