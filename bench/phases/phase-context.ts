import type { IdleCheck } from '../system/idle.js';
import { waitForIdle } from '../system/idle.js';
import type { BenchSettings } from '../report/results-types.js';
import type { RunningTarget, TargetName } from '../targets/target.js';

export interface PhaseContext {
  settings: BenchSettings;
  targets: RunningTarget[];
  /** Core for load generators (wrk), null when not pinning. */
  loadCpu: number | null;
  workDir: string;
  idleChecks: IdleCheck[];
  log(message: string): void;
}

export const targetByName = (context: PhaseContext, name: TargetName): RunningTarget | undefined =>
  context.targets.find((target) => target.name === name);

/** Waits for a quiet machine before a phase (bounded) and records what it saw. */
export const settle = async (context: PhaseContext, phase: string, short = false): Promise<void> => {
  const check = short
    ? await waitForIdle(phase, context.settings.idleThresholdPct, Math.min(3, context.settings.idleMaxWaitS), 300)
    : await waitForIdle(phase, context.settings.idleThresholdPct, context.settings.idleMaxWaitS);
  context.idleChecks.push(check);
};
