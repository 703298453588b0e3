import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

/**
 * V8's young generation is two semi-spaces that start at 1 MB each and double, up to 16 MB,
 * whenever many objects survive a scavenge. Start-up alone grows them to 16 MB (compiling
 * schemas and serializers), and the pages stay resident: ~30 MB of RSS that an idle gateway,
 * or one holding a thousand slow streams, never needs (docs/benchmarks.md, "Memory per open
 * stream"). Under request load the large young generation pays for itself: 1 MB semi-spaces
 * cost ~0.04 ms of scavenging per request at 64 connections, and when ten thousand streams
 * are open they promote short-lived objects into the old generation.
 *
 * So growth is held from start-up until the process allocates fast enough to need it, then
 * let go for good (V8 cannot be asked to shrink it again at run time).
 *
 * The mechanism: V8 raises a *launch* `--semi-space-growth-factor` below 2 to 2 when it sets up
 * the heap, but reads the flag at every growth step, so set at run time to 1 it keeps the
 * semi-spaces at their current size; 2 is V8's default. Measured on Node 20 (V8 11.3); on an
 * engine that ignores it, nothing changes.
 */
const HOLD_FLAG = '--semi-space-growth-factor=1';
const RELEASE_FLAG = '--semi-space-growth-factor=2';

export interface YoungGenerationPolicy {
  /** Scavenges in one second that count as a busy second (at 1 MB semi-spaces, ~1 MB allocated each). */
  scavengesPerSecond: number;
  /** Busy seconds in a row before growth is let go. */
  busySeconds: number;
}

/**
 * 40 scavenges a second is ~40 MB/s of allocation: the latency run at one connection
 * (~100 a second) and ten thousand open streams (~70) pass it, a thousand open streams
 * (~13) and an idle gateway do not. Two seconds in a row, so a burst of new streams
 * (a ramp of a thousand takes half a second) does not count.
 */
export const DEFAULT_POLICY: YoungGenerationPolicy = { scavengesPerSecond: 40, busySeconds: 2 };

/**
 * Counts scavenges per whole second of their start time and says when the last
 * `busySeconds` completed seconds were all busy. Pure, so the rule is tested without a heap.
 */
export class BusyDetector {
  private second = -1;
  private count = 0;
  private busyRun = 0;

  constructor(private readonly policy: YoungGenerationPolicy) {}

  /** Feed one scavenge's start time (ms); true once growth should be let go. */
  scavengeAt(startTimeMs: number): boolean {
    const second = Math.floor(startTimeMs / 1000);
    if (second !== this.second) {
      // The previous second is complete. A second without scavenges in between was a quiet one.
      const busy = this.count >= this.policy.scavengesPerSecond;
      this.busyRun = busy && second === this.second + 1 ? this.busyRun + 1 : 0;
      this.second = second;
      this.count = 0;
    }
    this.count += 1;
    // The current second joins the run as soon as it is busy.
    return this.count >= this.policy.scavengesPerSecond && this.busyRun + 1 >= this.policy.busySeconds;
  }
}

export interface YoungGenerationHold {
  /** False when the operator chose the young generation's size at launch (we leave it alone). */
  readonly held: boolean;
  /** True once growth was let go. */
  readonly released: boolean;
  /** Watch scavenges and let growth go when the process gets busy (serve only). */
  watch(policy?: YoungGenerationPolicy): void;
  /** Let growth go now (and stop watching). */
  release(): void;
}

/** A launch flag or NODE_OPTIONS that sizes the young generation is the operator's choice. */
export const operatorSizedYoungGeneration = (execArgv: readonly string[], nodeOptions: string | undefined): boolean =>
  [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => /^--(max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/.test(arg));

export const holdYoungGeneration = (
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): YoungGenerationHold => {
  const held = !operatorSizedYoungGeneration(execArgv, nodeOptions);
  if (held) setFlagsFromString(HOLD_FLAG);
  let released = !held;
  let observer: PerformanceObserver | null = null;
  const release = () => {
    observer?.disconnect();
    observer = null;
    if (released) return;
    released = true;
    setFlagsFromString(RELEASE_FLAG);
  };
  return {
    held,
    get released() {
      return released;
    },
    watch(policy = DEFAULT_POLICY) {
      if (released || observer) return;
      const detector = new BusyDetector(policy);
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
          if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR && detector.scavengeAt(entry.startTime)) {
            release();
            return;
          }
        }
      });
      observer.observe({ entryTypes: ['gc'] });
    },
    release,
  };
};
