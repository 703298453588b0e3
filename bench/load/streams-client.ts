import { setMaxListeners } from 'node:events';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { chatBody } from '../targets/workload.js';
import type { RunningTarget } from '../targets/target.js';

export interface ManyStreamsOptions {
  target: RunningTarget;
  count: number;
  model: string;
  /** Streams opened per ramp step, and the pause between steps (keeps the accept backlog sane). */
  rampBatch: number;
  rampIntervalMs: number;
  /** Hard bound for the whole run; streams still open then are aborted and counted as errors. */
  timeoutMs: number;
  /** Expected pause between chunks; a stall is a gap beyond it. */
  tokenDelayMs: number;
}

export interface ManyStreamsOutcome {
  requested: number;
  completed: number;
  errors: number;
  /** Most streams open at once (headers received, [DONE] not yet). */
  peakOpen: number;
  maxGapMs: number;
  /** Largest gap beyond the upstream's own pacing. */
  maxStallMs: number;
  durationS: number;
  firstErrors: string[];
}

/** Opens `count` slow streams (ramped), reads every event, and reports completion and stalls. */
export const holdManyStreams = async (options: ManyStreamsOptions, onOpenChange?: (open: number) => void): Promise<ManyStreamsOutcome> => {
  const pool = new Pool(options.target.origin, {
    connections: null,
    pipelining: 1,
    keepAliveTimeout: 5_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
    connectTimeout: 10_000,
  });
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream', ...options.target.headers };
  const body = chatBody(options.model, true);
  const abort = new AbortController();
  // One signal guards every stream of the run: thousands of listeners are expected.
  setMaxListeners(0, abort.signal);
  const started = performance.now();
  const outcome: ManyStreamsOutcome = {
    requested: options.count,
    completed: 0,
    errors: 0,
    peakOpen: 0,
    maxGapMs: 0,
    maxStallMs: 0,
    durationS: 0,
    firstErrors: [],
  };
  let open = 0;
  const fail = (message: string) => {
    outcome.errors += 1;
    if (outcome.firstErrors.length < 5) outcome.firstErrors.push(message);
  };

  const one = async (): Promise<void> => {
    let last = 0;
    let done = false;
    let counted = false;
    const parser = createParser({
      onEvent: (event) => {
        const now = performance.now();
        if (last > 0) outcome.maxGapMs = Math.max(outcome.maxGapMs, now - last);
        last = now;
        if (event.data === '[DONE]') done = true;
      },
    });
    try {
      const response = await pool.request({ path: options.target.chatPath, method: 'POST', headers, body, signal: abort.signal });
      if (response.statusCode !== 200) {
        fail(`status ${response.statusCode}: ${(await response.body.text()).slice(0, 160)}`);
        return;
      }
      open += 1;
      counted = true;
      outcome.peakOpen = Math.max(outcome.peakOpen, open);
      onOpenChange?.(open);
      const decoder = new TextDecoder();
      for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      if (done) outcome.completed += 1;
      else fail('stream ended without [DONE]');
    } catch (error) {
      fail((error as Error).message);
    } finally {
      if (counted) {
        open -= 1;
        onOpenChange?.(open);
      }
    }
  };

  const timer = setTimeout(() => abort.abort(new Error('bench time limit reached')), options.timeoutMs);
  const running: Promise<void>[] = [];
  let launched = 0;
  while (launched < options.count && !abort.signal.aborted) {
    const batch = Math.min(options.rampBatch, options.count - launched);
    for (let index = 0; index < batch; index += 1) running.push(one());
    launched += batch;
    if (launched < options.count) await new Promise((resolve) => setTimeout(resolve, options.rampIntervalMs));
  }
  await Promise.all(running);
  clearTimeout(timer);
  if (launched < options.count) fail(`${options.count - launched} streams never started: time limit`);
  outcome.errors += Math.max(0, options.count - launched - 1);
  outcome.durationS = Math.round((performance.now() - started) / 100) / 10;
  outcome.maxStallMs = Math.max(0, outcome.maxGapMs - options.tokenDelayMs);
  outcome.maxGapMs = Math.round(outcome.maxGapMs * 10) / 10;
  outcome.maxStallMs = Math.round(outcome.maxStallMs * 10) / 10;
  await pool.destroy().catch(() => undefined);
  return outcome;
};
