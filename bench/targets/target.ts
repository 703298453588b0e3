import type { CpuChoice } from '../system/children.js';

// `baseline` is another build of the gateway (`--baseline DIR`), measured in the same run so a
// change on the request path gets its before/after pair from one run.
// `node-floor` is a bare node:http + undici proxy: Node's own floor for the hop.
export const TARGET_NAMES = ['direct', 'nginx', 'node-floor', 'portkey', 'gateway', 'baseline'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export const TARGET_LABELS: Record<TargetName, string> = {
  direct: 'direct (simulator)',
  nginx: 'nginx proxy_pass',
  'node-floor': 'node:http + undici (Node floor)',
  portkey: 'Portkey gateway',
  gateway: 'sk-llm-gateway',
  baseline: 'sk-llm-gateway (baseline build)',
};

/** A target that is up and answering. */
export interface RunningTarget {
  name: TargetName;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Path of the chat completions endpoint on that origin. */
  chatPath: string;
  /** Headers every request to this target carries (auth, routing). */
  headers: Record<string, string>;
  /** Root of the measured process tree; null for the direct baseline (nothing in between). */
  pid: number | null;
  version: string | null;
  notes: string[];
  stop(): Promise<void>;
}

export type TargetStart =
  | { status: 'ok'; target: RunningTarget }
  | { status: 'skipped'; name: TargetName; reason: string };

export interface TargetContext {
  root: string;
  upstreamUrl: string;
  /** Core (or taskset list) for the system under test, or null when not pinning. */
  cpu: CpuChoice;
  /** Temp directory owned by this run (removed at the end). */
  workDir: string;
  /** Checkout whose dist/ is the baseline target (`--baseline DIR`), or null. */
  baselineRoot: string | null;
  /** Runs the target's node under another program (the per-request profiler: valgrind). */
  wrap?: (command: string, args: string[]) => { command: string; args: string[] };
  /** How long a wrapped (slowed) target may take to answer its first request. */
  startTimeoutMs?: number;
}

export const chatUrl = (target: RunningTarget): string => `${target.origin}${target.chatPath}`;
