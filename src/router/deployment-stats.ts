import type { FailureKind } from './types.js';

export interface DeploymentStatsOptions {
  /** EWMA smoothing factor in (0, 1]; higher reacts faster. Default 0.3. */
  alpha?: number;
  /** How many recent outcomes to keep per deployment (a ring). Default 50. */
  outcomeCapacity?: number;
}

export interface RecentOutcome {
  ok: boolean;
  at: number;
  failure?: FailureKind;
}

export interface OutcomeSummary {
  total: number;
  successes: number;
  failures: number;
  /** failures / total, 0 when nothing was recorded. */
  errorRate: number;
  lastAt: number | null;
}

export interface DeploymentStatsSnapshot {
  id: string;
  inFlight: number;
  /** EWMA of time to first token; null until one was measured. */
  ttftEwmaMs: number | null;
  ttftSamples: number;
  outcomes: OutcomeSummary;
}

interface Entry {
  inFlight: number;
  ttft: number | null;
  ttftSamples: number;
  ring: RecentOutcome[];
  ringNext: number;
}

/**
 * Live, in-memory numbers the balancer ranks deployments by. All methods are O(1)
 * except the mean of known TTFTs, which is O(deployments) and deployments are few.
 */
export class DeploymentStats {
  readonly alpha: number;
  readonly outcomeCapacity: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: DeploymentStatsOptions = {}) {
    const alpha = options.alpha ?? 0.3;
    if (!(alpha > 0 && alpha <= 1)) throw new RangeError('alpha must be in (0, 1]');
    const capacity = options.outcomeCapacity ?? 50;
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError('outcomeCapacity must be a positive integer');
    this.alpha = alpha;
    this.outcomeCapacity = capacity;
  }

  private entry(id: string): Entry {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { inFlight: 0, ttft: null, ttftSamples: 0, ring: [], ringNext: 0 };
      this.entries.set(id, entry);
    }
    return entry;
  }

  inc(id: string): void {
    this.entry(id).inFlight += 1;
  }

  /** Never goes below zero, so a double release cannot make a deployment look idle forever. */
  dec(id: string): void {
    const entry = this.entries.get(id);
    if (entry && entry.inFlight > 0) entry.inFlight -= 1;
  }

  /** inc now, and a release function that decrements exactly once however often it is called. */
  begin(id: string): () => void {
    this.inc(id);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.dec(id);
    };
  }

  inFlight(id: string): number {
    return this.entries.get(id)?.inFlight ?? 0;
  }

  recordTtft(id: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const entry = this.entry(id);
    entry.ttft = entry.ttft === null ? ms : this.alpha * ms + (1 - this.alpha) * entry.ttft;
    entry.ttftSamples += 1;
  }

  /** The measured EWMA, or null when this deployment has never produced a first token. */
  ttft(id: string): number | null {
    return this.entries.get(id)?.ttft ?? null;
  }

  /** Mean of the known EWMAs, or null when none is known. */
  meanTtft(): number | null {
    let sum = 0;
    let count = 0;
    for (const entry of this.entries.values()) {
      if (entry.ttft === null) continue;
      sum += entry.ttft;
      count += 1;
    }
    return count === 0 ? null : sum / count;
  }

  /**
   * Unknown deployments rank as average: neither starved (as +infinity would) nor
   * flooded (as 0 would) until they have a measurement of their own.
   */
  estimatedTtft(id: string, mean: number | null = this.meanTtft()): number | null {
    return this.ttft(id) ?? mean;
  }

  recordOutcome(id: string, ok: boolean, now: number, failure?: FailureKind): void {
    const entry = this.entry(id);
    const outcome: RecentOutcome = ok || failure === undefined ? { ok, at: now } : { ok, at: now, failure };
    if (entry.ring.length < this.outcomeCapacity) entry.ring.push(outcome);
    else entry.ring[entry.ringNext] = outcome;
    entry.ringNext = (entry.ringNext + 1) % this.outcomeCapacity;
  }

  /** Recent outcomes, oldest first. */
  recentOutcomes(id: string): RecentOutcome[] {
    const entry = this.entries.get(id);
    if (!entry) return [];
    if (entry.ring.length < this.outcomeCapacity) return [...entry.ring];
    return [...entry.ring.slice(entry.ringNext), ...entry.ring.slice(0, entry.ringNext)];
  }

  outcomeSummary(id: string): OutcomeSummary {
    const entry = this.entries.get(id);
    let successes = 0;
    let failures = 0;
    let lastAt: number | null = null;
    for (const outcome of entry?.ring ?? []) {
      if (outcome.ok) successes += 1;
      else failures += 1;
      if (lastAt === null || outcome.at > lastAt) lastAt = outcome.at;
    }
    const total = successes + failures;
    return { total, successes, failures, errorRate: total === 0 ? 0 : failures / total, lastAt };
  }

  snapshot(): DeploymentStatsSnapshot[] {
    return [...this.entries.entries()]
      .map(([id, entry]) => ({
        id,
        inFlight: entry.inFlight,
        ttftEwmaMs: entry.ttft,
        ttftSamples: entry.ttftSamples,
        outcomes: this.outcomeSummary(id),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Drop deployments that left the configuration, keeping memory bounded across reloads. */
  retain(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of [...this.entries.keys()]) {
      if (!keep.has(id) && this.entries.get(id)!.inFlight === 0) this.entries.delete(id);
    }
  }
}

export const createDeploymentStats = (options: DeploymentStatsOptions = {}) => new DeploymentStats(options);
