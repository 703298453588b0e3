import { median, round } from '../load/statistics.js';
import { SCENARIOS } from '../profile/scenarios.js';
import type { ProtocolPathSummary } from '../report/results-types.js';
import type { RunningTarget } from '../targets/target.js';
import { settle, type PhaseContext } from './phase-context.js';
import { measure, type MeasuredRun } from './throughput-phase.js';

/**
 * Each client protocol path (bench/profile/scenarios.ts) against the OpenAI passthrough it is
 * judged by: the non-stream paths against `openai`, the stream paths against `openai-stream`.
 * Issue 17's goal: none above 1.5× the passthrough's CPU per request.
 */
export const PROTOCOL_PATHS: ReadonlyArray<{ scenario: keyof typeof SCENARIOS; reference: 'openai' | 'openai-stream' }> = [
  { scenario: 'openai', reference: 'openai' },
  { scenario: 'anthropic-translate', reference: 'openai' },
  { scenario: 'anthropic-passthrough', reference: 'openai' },
  { scenario: 'responses-chat', reference: 'openai' },
  { scenario: 'openai-stream', reference: 'openai-stream' },
  { scenario: 'anthropic-translate-stream', reference: 'openai-stream' },
  { scenario: 'no-usage-stream', reference: 'openai-stream' },
];

/** The gateway, seen as a target whose "chat" endpoint is this scenario's path, body headers included. */
const asScenarioTarget = (gateway: RunningTarget, name: keyof typeof SCENARIOS): RunningTarget => {
  const scenario = SCENARIOS[name]!;
  return { ...gateway, chatPath: scenario.path, headers: { ...gateway.headers, ...scenario.headers } };
};

export const runProtocolPathsPhase = async (context: PhaseContext, gateway: RunningTarget): Promise<ProtocolPathSummary[]> => {
  const { settings } = context;
  const measured = new Map<string, MeasuredRun[]>();
  context.log(`protocol paths (gateway): ${PROTOCOL_PATHS.length} request shapes, ${settings.wrkRounds} × ${settings.wrkDurationS} s each`);
  for (const { scenario } of PROTOCOL_PATHS) {
    const target = asScenarioTarget(gateway, scenario);
    const body = SCENARIOS[scenario]!.body;
    await measure(context, target, body, settings.wrkWarmupS);
    const runs: MeasuredRun[] = [];
    for (let index = 0; index < settings.wrkRounds; index += 1) {
      await settle(context, `protocol path ${scenario}`, true);
      runs.push(await measure(context, target, body, settings.wrkDurationS));
    }
    measured.set(scenario, runs);
  }
  const cpuOf = (scenario: string): number | null => {
    const values = (measured.get(scenario) ?? []).map((run) => run.cpuMsPerRequest).filter((value): value is number => value !== null);
    return values.length > 0 ? round(median(values), 4) : null;
  };
  return PROTOCOL_PATHS.map(({ scenario, reference }) => {
    const runs = measured.get(scenario) ?? [];
    const cpu = cpuOf(scenario);
    const referenceCpu = cpuOf(reference);
    const summary: ProtocolPathSummary = {
      scenario,
      path: SCENARIOS[scenario]!.path,
      reference,
      requestsPerSec: round(median(runs.map((run) => run.requestsPerSec)), 1),
      cpuMsPerRequest: cpu,
      cpuVsReference: cpu !== null && referenceCpu !== null && referenceCpu > 0 ? round(cpu / referenceCpu, 3) : null,
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
    };
    context.log(
      `  ${scenario.padEnd(27)} ${round(summary.requestsPerSec, 0)} req/s  cpu ${summary.cpuMsPerRequest ?? '—'} ms/req  ${summary.cpuVsReference ?? '—'}× ${reference}  errors ${summary.errors}`,
    );
    return summary;
  });
};
