import { z } from 'zod';
import type { ModelRules, ParameterRule } from '../providers/rules/rule-types.js';

/**
 * YAML `rules:` on a provider (in models.yaml) or on a model (in providers/*.yaml): the
 * vendor rules vocabulary of src/providers/rules/rule-types.ts in snake_case, laid over
 * the vendor table's defaults and model family. Unlike the rest of the config, unknown
 * keys here are errors, not warnings: a misspelt rule would otherwise silently not apply.
 */

const WHEN = ['thinking', 'not-thinking'] as const;
const PARAMETER_KINDS = ['drop', 'clamp', 'rename', 'fixed'] as const;
/** Which keys each kind of parameter rule takes besides its own. */
const KIND_KEYS: Record<(typeof PARAMETER_KINDS)[number], readonly string[]> = {
  drop: [],
  clamp: ['min', 'max'],
  rename: ['to'],
  fixed: ['value'],
};
const PARAM_NAME = z.string().trim().min(1).max(64);

const parameterEntrySchema = z
  .strictObject({
    drop: PARAM_NAME.optional(),
    clamp: PARAM_NAME.optional(),
    rename: PARAM_NAME.optional(),
    fixed: PARAM_NAME.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    to: PARAM_NAME.optional(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    why: z.string().trim().min(1).max(500).optional(),
    when: z.enum(WHEN).optional(),
  })
  .superRefine((entry, ctx) => {
    const kinds = PARAMETER_KINDS.filter((kind) => entry[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a parameter rule names exactly one of drop, clamp, rename, fixed (found ${kinds.length === 0 ? 'none' : kinds.join(', ')})` });
      return;
    }
    const kind = kinds[0]!;
    for (const key of ['min', 'max', 'to', 'value'] as const) {
      const wanted = KIND_KEYS[kind].includes(key);
      if (wanted && entry[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${kind}" needs "${key}"` });
      if (!wanted && entry[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" belongs to ${key === 'to' ? 'rename' : key === 'value' ? 'fixed' : 'clamp'}, not to "${kind}"` });
    }
    if (kind === 'clamp' && entry.min !== undefined && entry.max !== undefined && entry.min > entry.max) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${entry.min}) is above max (${entry.max})` });
    }
  })
  .transform((entry): ParameterRule => {
    const why = entry.why ?? 'set in the configuration';
    const when = entry.when ? { when: entry.when } : {};
    if (entry.drop !== undefined) return { kind: 'drop', param: entry.drop, why, ...when };
    if (entry.clamp !== undefined) return { kind: 'clamp', param: entry.clamp, min: entry.min!, max: entry.max!, why, ...when };
    if (entry.rename !== undefined) return { kind: 'rename', param: entry.rename, to: entry.to!, why, ...when };
    return { kind: 'fixed', param: entry.fixed!, value: entry.value!, why, ...when };
  });

const TOOL_CHOICE = z.enum(['all', 'auto-none', 'no-required', 'auto-only', 'none-supported']);
const EFFORT_VALUE = z.string().trim().min(1).max(32).nullable();

const ruleKeys = {
  parameters: z.array(parameterEntrySchema).max(64).optional(),
  thinking: z.enum(['reasoning-effort', 'thinking-type', 'enable-thinking', 'thinking-budget', 'fixed', 'none']).optional(),
  thinks_by_default: z.boolean().optional(),
  thinking_auto: z.boolean().optional(),
  stream_only: z.boolean().optional(),
  stream_options: z.enum(['always', 'with-stream', 'never']).optional(),
  tool_choice: TOOL_CHOICE.optional(),
  tool_choice_when_thinking: TOOL_CHOICE.optional(),
  /** The vendor's reasoning_effort value per client effort (null: send none, the vendor's default). */
  efforts: z
    .strictObject({ none: EFFORT_VALUE.optional(), minimal: EFFORT_VALUE.optional(), low: EFFORT_VALUE.optional(), medium: EFFORT_VALUE.optional(), high: EFFORT_VALUE.optional() })
    .optional(),
  multiple_choices: z.boolean().optional(),
  image_delivery: z.enum(['url', 'data-url', 'raw-base64']).optional(),
  reasoning_replay: z.enum(['required', 'reject', 'ignore']).optional(),
  reasoning_field: z.enum(['reasoning_content', 'reasoning', 'think-tags']).optional(),
};

/** The YAML keys a `rules:` block takes (for error messages and the docs). */
export const RULE_KEYS = Object.keys(ruleKeys);

export const rulesSchema = z
  .strictObject(ruleKeys, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown rule ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((key) => `"${key}"`).join(', ')} (known: ${RULE_KEYS.join(', ')})` : undefined,
  })
  .transform(
    (yaml): ModelRules => ({
      ...(yaml.parameters !== undefined ? { parameters: yaml.parameters } : {}),
      ...(yaml.thinking !== undefined ? { thinking: yaml.thinking } : {}),
      ...(yaml.thinks_by_default !== undefined ? { thinksByDefault: yaml.thinks_by_default } : {}),
      ...(yaml.thinking_auto !== undefined ? { thinkingAuto: yaml.thinking_auto } : {}),
      ...(yaml.stream_only !== undefined ? { streamOnly: yaml.stream_only } : {}),
      ...(yaml.stream_options !== undefined ? { streamOptions: yaml.stream_options } : {}),
      ...(yaml.tool_choice !== undefined ? { toolChoice: yaml.tool_choice } : {}),
      ...(yaml.tool_choice_when_thinking !== undefined ? { toolChoiceWhenThinking: yaml.tool_choice_when_thinking } : {}),
      ...(yaml.efforts !== undefined ? { efforts: yaml.efforts } : {}),
      ...(yaml.multiple_choices !== undefined ? { multipleChoices: yaml.multiple_choices } : {}),
      ...(yaml.image_delivery !== undefined ? { imageDelivery: yaml.image_delivery } : {}),
      ...(yaml.reasoning_replay !== undefined ? { reasoningReplay: yaml.reasoning_replay } : {}),
      ...(yaml.reasoning_field !== undefined ? { reasoningField: yaml.reasoning_field } : {}),
    }),
  );

/**
 * A compile-time guard: the YAML keys cover the vocabulary exactly. A field added to
 * ModelRules without its YAML key (or the reverse) fails the typecheck here.
 */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
const coversVocabulary: Exact<Camel<keyof typeof ruleKeys>, keyof ModelRules> = true;
/** And each key takes exactly the vocabulary's values (a new tool_choice level, say), parameters aside. */
type ValuesMatch = {
  [K in Exclude<keyof typeof ruleKeys, 'parameters'>]: Exact<NonNullable<z.input<(typeof ruleKeys)[K]>>, NonNullable<ModelRules[Camel<K> & keyof ModelRules]>>;
};
type AllTrue<T> = false extends T[keyof T] ? false : true;
const coversValues: AllTrue<ValuesMatch> = true;
void coversVocabulary;
void coversValues;

/** Back to YAML's snake_case (the admin overlay and the config export write entries in the files' form). */
export const rulesToEntry = (rules: ModelRules): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  if (rules.parameters !== undefined) {
    out.parameters = rules.parameters.map((rule) => {
      const when = rule.when ? { when: rule.when } : {};
      switch (rule.kind) {
        case 'drop':
          return { drop: rule.param, why: rule.why, ...when };
        case 'clamp':
          return { clamp: rule.param, min: rule.min, max: rule.max, why: rule.why, ...when };
        case 'rename':
          return { rename: rule.param, to: rule.to, why: rule.why, ...when };
        case 'fixed':
          return { fixed: rule.param, value: rule.value, why: rule.why, ...when };
      }
    });
  }
  if (rules.thinking !== undefined) out.thinking = rules.thinking;
  if (rules.thinksByDefault !== undefined) out.thinks_by_default = rules.thinksByDefault;
  if (rules.thinkingAuto !== undefined) out.thinking_auto = rules.thinkingAuto;
  if (rules.streamOnly !== undefined) out.stream_only = rules.streamOnly;
  if (rules.streamOptions !== undefined) out.stream_options = rules.streamOptions;
  if (rules.toolChoice !== undefined) out.tool_choice = rules.toolChoice;
  if (rules.toolChoiceWhenThinking !== undefined) out.tool_choice_when_thinking = rules.toolChoiceWhenThinking;
  if (rules.efforts !== undefined) out.efforts = { ...rules.efforts };
  if (rules.multipleChoices !== undefined) out.multiple_choices = rules.multipleChoices;
  if (rules.imageDelivery !== undefined) out.image_delivery = rules.imageDelivery;
  if (rules.reasoningReplay !== undefined) out.reasoning_replay = rules.reasoningReplay;
  if (rules.reasoningField !== undefined) out.reasoning_field = rules.reasoningField;
  return out;
};
