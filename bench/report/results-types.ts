import type { LatencyRound } from '../load/latency-client.js';
import type { StreamTimingRound } from '../load/stream-timing.js';
import type { ManyStreamsOutcome } from '../load/streams-client.js';
import type { WrkRun } from '../load/wrk.js';
import type { IdleCheck } from '../system/idle.js';
import type { LoadSample, MachineInfo } from '../system/machine-info.js';
import type { TargetName } from '../targets/target.js';

export type RunKind = 'quick' | 'full';

export interface BenchSettings {
  kind: RunKind;
  latencyRounds: number;
  latencyRequests: number;
  latencyWarmupRequests: number;
  streamRounds: number;
  streamsPerRound: number;
  /**
   * Unpaced streams per target before the TTFT rounds, so the stream path is measured warm
   * (as the non-stream path is after its warm-up); absent in results written before it existed.
   */
  streamWarmupRequests?: number;
  wrkConnections: number;
  wrkRounds: number;
  wrkDurationS: number;
  wrkWarmupS: number;
  streamCounts: number[];
  soakMinutes: number;
  idleThresholdPct: number;
  idleMaxWaitS: number;
  /** Whether the scaling phase (1 vs 2 workers, unpinned) runs; absent in results written before it existed. */
  scaling?: boolean;
}

export interface TargetRecord {
  name: TargetName;
  label: string;
  status: 'ok' | 'skipped';
  reason?: string;
  version: string | null;
  notes: string[];
  /** RSS of the target's process tree right after it answered its first requests. */
  rssStartMb?: number | null;
}

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Median over rounds of (target − direct) in the same round; null for direct. */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  errors: number;
  rounds: LatencyRound[];
}

export interface ThroughputSummary {
  /** Median over rounds. */
  requestsPerSec: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  errors: number;
  /** CPU time of the target's process tree per completed request (wrk rounds only). */
  cpuMsPerRequest: number | null;
  vsDirect: number | null;
  vsNginx: number | null;
  vsPortkey: number | null;
  /** Against the bare node:http + undici proxy; absent in results written before it existed. */
  vsNodeFloor?: number | null;
  /** CPU ms/req divided by the Node floor's in the same run. */
  cpuVsNodeFloor?: number | null;
  rounds: WrkRun[];
}

export interface StreamingSummary {
  ttftP50Ms: number;
  addedTtftP50Ms: number | null;
  gapP50Ms: number;
  gapP99Ms: number;
  maxGapMs: number;
  errors: number;
  rounds: StreamTimingRound[];
}

export interface ManyStreamsResult extends ManyStreamsOutcome {
  target: TargetName;
  /** What the profile asked for; `requested` is what actually ran. */
  plannedCount: number;
  limitedBy: string | null;
  rssIdleMb: number | null;
  rssPeakMb: number | null;
  rssAfterMb: number | null;
}

export interface SoakResult {
  target: TargetName;
  minutes: number;
  connections: number;
  rssAfterWarmupMb: number | null;
  rssEndMb: number | null;
  rssMaxMb: number | null;
  growthPct: number | null;
  requests: number;
  errors: number;
  requestsPerSec: number;
  /** Every sample: seconds since soak start, RSS in MB. */
  samples: Array<{ t: number; rssMb: number }>;
}

/** What the scaling phase starts: the simulator alone (its ceiling), nginx and the gateway. */
export type ScalingTargetName = 'direct' | 'nginx' | 'gateway';

export interface ScalingRound extends WrkRun {
  cpuMsPerRequest: number | null;
  /** Busy share of all cores during the run (/proc/stat): near 100, the cores, not the target, set the ceiling. */
  machineBusyPct: number | null;
}

export interface ScalingMeasurement {
  /** Median over rounds. */
  requestsPerSec: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  errors: number;
  /** CPU of the whole process tree (cluster primary + workers; nginx master + workers) per completed request. */
  cpuMsPerRequest: number | null;
  /** Median over rounds of the whole machine's busy share; absent in results written before it existed. */
  machineBusyPct?: number | null;
  rounds: ScalingRound[];
}

export interface ScalingEntry {
  target: ScalingTargetName;
  /** Gateway `--workers N` or nginx `worker_processes N`; null for direct (the simulator alone). */
  workers: number | null;
  status: 'ok' | 'skipped';
  reason?: string;
  /** Processes in the measured tree at the first measured run; null for direct. */
  processes: number | null;
  nonStream: ScalingMeasurement | null;
  stream: ScalingMeasurement | null;
}

export interface ScalingRatio {
  /** req/s with 2 workers ÷ req/s with 1 worker, same run; null when either is missing. */
  nonStream: number | null;
  stream: number | null;
}

/**
 * 1 vs 2 workers with nothing pinned: with 2 workers the target needs both cores, so targets,
 * wrk and the simulator all share them (not comparable with the pinned throughput numbers).
 */
export interface ScalingSummary {
  pinned: false;
  cores: number;
  connections: number;
  rounds: number;
  durationS: number;
  /** Why nothing was measured (e.g. a 1-core machine), else null. */
  reason: string | null;
  entries: ScalingEntry[];
  ratios: Partial<Record<'nginx' | 'gateway', ScalingRatio>>;
}

export interface BenchResults {
  schemaVersion: 1;
  kind: RunKind;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: MachineInfo;
  load: {
    before: LoadSample;
    after: LoadSample;
    idleChecks: IdleCheck[];
    pinned: boolean;
    /** Core of the system under test and of the load generators (null when not pinned). */
    targetCpu: number | null;
    loadCpu: number | null;
  };
  settings: BenchSettings;
  targets: TargetRecord[];
  latency: Partial<Record<TargetName, LatencySummary>>;
  throughput: {
    nonStream: Partial<Record<TargetName, ThroughputSummary>>;
    stream: Partial<Record<TargetName, ThroughputSummary>>;
  };
  streaming: Partial<Record<TargetName, StreamingSummary>>;
  /** The gateway's other client-protocol paths; absent in results written before it existed. */
  protocolPaths?: ProtocolPathSummary[];
  manyStreams: ManyStreamsResult[];
  soak: SoakResult | null;
  /** null when the phase did not run (quick without --scaling); absent in results written before it existed. */
  scaling?: ScalingSummary | null;
}

/** One client-protocol path through the gateway at the throughput phase's connections (wrk). */
export interface ProtocolPathSummary {
  /** bench/profile/scenarios.ts name, e.g. anthropic-translate. */
  scenario: string;
  path: string;
  /** The OpenAI passthrough it is compared with: `openai` or `openai-stream`. */
  reference: string;
  requestsPerSec: number;
  cpuMsPerRequest: number | null;
  /** CPU ms/req divided by the reference's, same run. */
  cpuVsReference: number | null;
  errors: number;
}
