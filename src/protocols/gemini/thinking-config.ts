import type { NeutralRequest } from '../../core/neutral-request.js';
import type { Json } from '../request-checks.js';

/**
 * The neutral reasoning request as Gemini's `generationConfig.thinkingConfig`, per model
 * line (ai.google.dev/gemini-api/docs/thinking, "Thinking levels and budgets"):
 * - Gemini 3 takes `thinkingLevel` (Pro: low | high; Flash: minimal | low | medium | high);
 *   thinking cannot be turned off, and `thinkingLevel` with `thinkingBudget` in one request is a 400.
 * - Gemini 2.5 takes `thinkingBudget`: Pro 128..32768 and cannot turn thinking off (0 is a 400,
 *   "This model only works in thinking mode"); Flash 0..24576; Flash-Lite 0 or 512..24576;
 *   -1 is dynamic. Gemini 2.5 does not take `thinkingLevel`.
 * A model outside these lines gets the 2.5 Flash form (the widest range).
 */
type Effort = NonNullable<NonNullable<NeutralRequest['reasoning']>['effort']>;

interface BudgetLine {
  kind: 'budget';
  match: RegExp;
  min: number;
  max: number;
  /** Whether 0 (thinking off) is accepted. */
  canDisable: boolean;
}
interface LevelLine {
  kind: 'level';
  match: RegExp;
  /** The level sent for each effort; "none" on a model that cannot stop thinking gets its lowest. */
  levels: Record<Effort, string>;
}

export const GEMINI_THINKING_LINES: ReadonlyArray<BudgetLine | LevelLine> = [
  { kind: 'level', match: /gemini-3(\.\d+)?-flash/, levels: { none: 'minimal', minimal: 'minimal', low: 'low', medium: 'medium', high: 'high' } },
  { kind: 'level', match: /gemini-3/, levels: { none: 'low', minimal: 'low', low: 'low', medium: 'high', high: 'high' } },
  { kind: 'budget', match: /gemini-2\.5-pro/, min: 128, max: 32_768, canDisable: false },
  { kind: 'budget', match: /gemini-2\.5-flash-lite/, min: 512, max: 24_576, canDisable: true },
  { kind: 'budget', match: /./, min: 1, max: 24_576, canDisable: true },
];

/** Budgets for an effort level (before the model line's range is applied). */
const effortBudget: Record<Effort, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24_576 };
/** A budget as the nearest level (for Gemini 3, which takes levels only). */
const effortOfBudget = (budget: number): Effort => (budget <= 0 ? 'none' : budget <= 1024 ? 'low' : budget <= 8192 ? 'medium' : 'high');

export const geminiThinkingLine = (model: string): BudgetLine | LevelLine =>
  GEMINI_THINKING_LINES.find((line) => line.match.test(model)) ?? GEMINI_THINKING_LINES[GEMINI_THINKING_LINES.length - 1]!;

/** The thinkingConfig for this model and request, or undefined when the request says nothing. */
export const geminiThinkingConfig = (model: string, reasoning: NeutralRequest['reasoning']): Json | undefined => {
  if (!reasoning) return undefined;
  const line = geminiThinkingLine(model);
  if (line.kind === 'level') {
    const effort = reasoning.effort ?? (reasoning.budgetTokens !== undefined ? effortOfBudget(reasoning.budgetTokens) : 'high');
    return { thinkingLevel: line.levels[effort], includeThoughts: effort !== 'none' };
  }
  let budget = reasoning.budgetTokens ?? (reasoning.effort ? effortBudget[reasoning.effort] : -1);
  if (budget === -1) return { thinkingBudget: -1, includeThoughts: true };
  if (budget <= 0) {
    if (line.canDisable) return { thinkingBudget: 0 };
    // Thinking cannot stop here: the least the model takes.
    budget = line.min;
    return { thinkingBudget: budget, includeThoughts: false };
  }
  return { thinkingBudget: Math.min(line.max, Math.max(line.min, Math.floor(budget))), includeThoughts: true };
};
