import type { FailureKind } from './types.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures within `windowMs` that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** First cooldown. Default 30 s. */
  cooldownMs?: number;
  /** Each consecutive re-open multiplies the cooldown (1 = constant). Default 2. */
  cooldownMultiplier?: number;
  /** Default 5 min. */
  maxCooldownMs?: number;
  /**
   * The circuit only opens when failures are also at least this share of the outcomes in
   * the window, so a busy deployment with a low error rate is not tripped by volume alone.
   * 0 = count only. Default 0.5.
   */
  minFailureRatio?: number;
  /** A probe that never reports back (lost request) frees the slot after this. Default 60 s. */
  probeTimeoutMs?: number;
}

/** An opening as other instances see it (through Redis). */
export interface CircuitOpening {
  openedAt: number;
  reopensAt: number;
  consecutiveOpens: number;
}

/**
 * Hooks for sharing breaker state between instances (src/state/shared-breakers.ts). The
 * breaker itself stays synchronous: the coordinator is told about local transitions and
 * answers, from what it already knows, whether this instance may send the half-open probe.
 */
export interface CircuitCoordinator {
  opened(id: string, opening: CircuitOpening): void;
  closed(id: string): void;
  /** Whether this instance holds the probe lease for `id` (true when nothing is shared). */
  mayProbe(id: string, now: number): boolean;
  /** This instance is sending the half-open probe now (keep the lease for its duration). */
  probing(id: string): void;
}

export interface CircuitSnapshot {
  id: string;
  state: CircuitState;
  /** Failures within the window. */
  failures: number;
  openedAt: number | null;
  reopensAt: number | null;
}

/** Kinds that say something about the deployment's health; the others are about the request. */
export const INFRA_FAILURE_KINDS: readonly FailureKind[] = [
  'connect',
  'timeout-first-byte',
  'timeout',
  'server',
  'rate-limit',
  'malformed-response',
];

/**
 * What the breaker counts: failures on the vendor's side only. A breaker is shared by
 * every tenant, so nothing one request can provoke on its own may count: 4xx answers to
 * a bad body, content filters, context overflows, and 429s too ("Request too large for
 * … tokens per min" is an answer to the request's size; throttling is handled by
 * Retry-After and switching deployments, not by taking the deployment away from all).
 */
const CIRCUIT_FAILURES: ReadonlySet<FailureKind> = new Set<FailureKind>([
  'connect',
  'timeout-first-byte',
  'timeout',
  'server',
  'malformed-response',
]);

export const countsTowardCircuit = (kind: FailureKind): boolean => CIRCUIT_FAILURES.has(kind);

const SUCCESS_BUCKETS = 10;

interface Entry {
  id: string;
  state: 'closed' | 'open' | 'half-open';
  /** Most recent failure times, at most `failureThreshold` of them. */
  failureTimes: number[];
  successCounts: number[];
  successEpochs: number[];
  openedAt: number | null;
  reopensAt: number | null;
  consecutiveOpens: number;
  probeStartedAt: number | null;
}

const positive = (value: number | undefined, fallback: number, name: string) => {
  const v = value ?? fallback;
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number`);
  return v;
};

/**
 * Per-deployment breaker: closed → (N infra failures within W) → open for a cooldown →
 * half-open, where exactly one request probes; its success closes the circuit, its
 * failure re-opens it with a longer (capped) cooldown.
 *
 * `isAvailable` only asks; `acquire` is called for the deployment actually chosen and
 * claims the single probe slot, so two concurrent requests never both probe.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
  readonly cooldownMultiplier: number;
  readonly maxCooldownMs: number;
  readonly minFailureRatio: number;
  readonly probeTimeoutMs: number;
  private readonly entries = new Map<string, Entry>();
  /** Set when breaker state is shared between instances. */
  coordinator: CircuitCoordinator | null = null;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = Math.floor(positive(options.failureThreshold, 5, 'failureThreshold'));
    this.windowMs = positive(options.windowMs, 60_000, 'windowMs');
    this.cooldownMs = positive(options.cooldownMs, 30_000, 'cooldownMs');
    this.cooldownMultiplier = Math.max(1, options.cooldownMultiplier ?? 2);
    this.maxCooldownMs = Math.max(this.cooldownMs, options.maxCooldownMs ?? 300_000);
    this.minFailureRatio = Math.min(1, Math.max(0, options.minFailureRatio ?? 0.5));
    this.probeTimeoutMs = positive(options.probeTimeoutMs, 60_000, 'probeTimeoutMs');
  }

  private entry(id: string): Entry {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = {
        id,
        state: 'closed',
        failureTimes: [],
        successCounts: new Array<number>(SUCCESS_BUCKETS).fill(0),
        successEpochs: new Array<number>(SUCCESS_BUCKETS).fill(-1),
        openedAt: null,
        reopensAt: null,
        consecutiveOpens: 0,
        probeStartedAt: null,
      };
      this.entries.set(id, entry);
    }
    return entry;
  }

  private probeSlotFree(entry: Entry, now: number): boolean {
    if (entry.state === 'open') return now >= (entry.reopensAt ?? 0) && (this.coordinator === null || this.coordinator.mayProbe(entry.id, now));
    if (entry.state === 'half-open') return now - (entry.probeStartedAt ?? 0) >= this.probeTimeoutMs;
    return true;
  }

  state(id: string, now: number): CircuitState {
    const entry = this.entries.get(id);
    if (!entry || entry.state === 'closed') return 'closed';
    if (entry.state === 'open' && now < (entry.reopensAt ?? 0)) return 'open';
    return 'half-open';
  }

  /** Whether a request may be sent now (closed, or a probe is due and nobody holds the slot). */
  isAvailable(id: string, now: number): boolean {
    const entry = this.entries.get(id);
    return !entry || this.probeSlotFree(entry, now);
  }

  /** True when this deployment would be used as a half-open probe (not regular traffic). */
  isProbeDue(id: string, now: number): boolean {
    const entry = this.entries.get(id);
    return !!entry && entry.state !== 'closed' && this.probeSlotFree(entry, now);
  }

  /** Claim the right to send one request; claims the probe slot when half-open. */
  acquire(id: string, now: number): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.state === 'closed') return true;
    if (!this.probeSlotFree(entry, now)) return false;
    entry.state = 'half-open';
    entry.probeStartedAt = now;
    this.coordinator?.probing(id);
    return true;
  }

  /**
   * The request that claimed this deployment never reached it (the gateway refused it, or
   * it was cancelled first): give a half-open probe slot back without a verdict.
   */
  release(id: string, now: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.state !== 'half-open') return;
    entry.state = 'open';
    entry.reopensAt = Math.min(entry.reopensAt ?? now, now);
    entry.probeStartedAt = null;
  }

  onSuccess(id: string, now: number): void {
    const entry = this.entries.get(id);
    if (!entry) {
      this.recordSuccess(this.entry(id), now);
      return;
    }
    if (entry.state === 'half-open') this.close(entry);
    // A late success from before the circuit opened proves little; the probe decides.
    else if (entry.state === 'closed') this.recordSuccess(entry, now);
  }

  onFailure(id: string, kind: FailureKind, now: number): void {
    const entry = this.entry(id);
    if (!countsTowardCircuit(kind)) {
      // The upstream answered (bad request, auth, filter): it is reachable, so a probe that
      // got such an answer has done its job.
      if (entry.state === 'half-open') this.close(entry);
      return;
    }
    if (entry.state === 'open') return;
    if (entry.state === 'half-open') {
      this.open(entry, now);
      return;
    }
    entry.failureTimes.push(now);
    if (entry.failureTimes.length > this.failureThreshold) entry.failureTimes.shift();
    const failures = this.failuresInWindow(entry, now);
    if (failures < this.failureThreshold) return;
    const successes = this.successesInWindow(entry, now);
    if (failures / (failures + successes) >= this.minFailureRatio) this.open(entry, now);
  }

  snapshot(now: number): CircuitSnapshot[] {
    return [...this.entries.entries()]
      .map(([id, entry]) => ({
        id,
        state: this.state(id, now),
        failures: this.failuresInWindow(entry, now),
        openedAt: entry.openedAt,
        reopensAt: entry.reopensAt,
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Admin "reset": forget one deployment's history, or everything. */
  reset(id?: string): void {
    if (id === undefined) this.entries.clear();
    else this.entries.delete(id);
  }

  /** Another instance opened this circuit: adopt its opening unless ours lasts longer. */
  applyRemoteOpen(id: string, opening: CircuitOpening): void {
    const entry = this.entry(id);
    if (entry.state === 'open' && (entry.reopensAt ?? 0) >= opening.reopensAt) return;
    entry.state = 'open';
    entry.openedAt = opening.openedAt;
    entry.reopensAt = opening.reopensAt;
    entry.consecutiveOpens = Math.max(entry.consecutiveOpens, opening.consecutiveOpens);
    entry.probeStartedAt = null;
  }

  /** Another instance's probe succeeded. */
  applyRemoteClose(id: string): void {
    const entry = this.entries.get(id);
    if (entry && entry.state !== 'closed') this.close(entry, false);
  }

  /** Circuits open (or probing) here now, for re-publishing after a Redis outage. */
  openings(): Array<[string, CircuitOpening]> {
    const out: Array<[string, CircuitOpening]> = [];
    for (const [id, entry] of this.entries) {
      if (entry.state === 'closed' || entry.openedAt === null || entry.reopensAt === null) continue;
      out.push([id, { openedAt: entry.openedAt, reopensAt: entry.reopensAt, consecutiveOpens: entry.consecutiveOpens }]);
    }
    return out;
  }

  /** Drop deployments that left the configuration. */
  retain(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of [...this.entries.keys()]) if (!keep.has(id)) this.entries.delete(id);
  }

  private open(entry: Entry, now: number): void {
    entry.consecutiveOpens += 1;
    const cooldown = Math.min(
      this.maxCooldownMs,
      this.cooldownMs * this.cooldownMultiplier ** (entry.consecutiveOpens - 1),
    );
    entry.state = 'open';
    entry.openedAt = now;
    entry.reopensAt = now + cooldown;
    entry.probeStartedAt = null;
    this.coordinator?.opened(entry.id, { openedAt: now, reopensAt: entry.reopensAt, consecutiveOpens: entry.consecutiveOpens });
  }

  private close(entry: Entry, announce = true): void {
    const wasOpen = entry.state !== 'closed';
    entry.state = 'closed';
    entry.failureTimes = [];
    entry.successCounts.fill(0);
    entry.successEpochs.fill(-1);
    entry.openedAt = null;
    entry.reopensAt = null;
    entry.consecutiveOpens = 0;
    entry.probeStartedAt = null;
    if (announce && wasOpen) this.coordinator?.closed(entry.id);
  }

  private failuresInWindow(entry: Entry, now: number): number {
    let count = 0;
    for (const at of entry.failureTimes) if (now - at < this.windowMs) count += 1;
    return count;
  }

  private bucketEpoch(now: number): number {
    return Math.floor(now / (this.windowMs / SUCCESS_BUCKETS));
  }

  private recordSuccess(entry: Entry, now: number): void {
    const epoch = this.bucketEpoch(now);
    const index = ((epoch % SUCCESS_BUCKETS) + SUCCESS_BUCKETS) % SUCCESS_BUCKETS;
    if (entry.successEpochs[index] !== epoch) {
      entry.successEpochs[index] = epoch;
      entry.successCounts[index] = 0;
    }
    entry.successCounts[index]! += 1;
  }

  private successesInWindow(entry: Entry, now: number): number {
    const epoch = this.bucketEpoch(now);
    let sum = 0;
    for (let i = 0; i < SUCCESS_BUCKETS; i++) {
      const e = entry.successEpochs[i]!;
      if (e > epoch - SUCCESS_BUCKETS && e <= epoch) sum += entry.successCounts[i]!;
    }
    return sum;
  }
}

export const createCircuitBreaker = (options: CircuitBreakerOptions = {}) => new CircuitBreaker(options);
