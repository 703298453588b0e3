import type { ImageDelivery } from '../../config/types.js';

/**
 * The vocabulary of vendor rules (issue 13). A rule is data, not code: the engine in
 * `apply-rules.ts` interprets it on the OpenAI-format body an OpenAI-protocol vendor
 * receives (passthrough and translated alike), the docs table is generated from it, and
 * each named rule has a fixture test. Anthropic- and Gemini-protocol vendors get their
 * thinking settings from their egress codecs; only `thinking` styles naming them apply there.
 */

/** What happens to one body parameter. `when` limits a rule to requests that think or not. */
export type ParameterRule =
  /** The vendor rejects (or ignores) the parameter: it is removed. */
  | { kind: 'drop'; param: string; why: string; when?: 'thinking' | 'not-thinking' }
  /** The vendor takes only [min, max]: a value outside is moved to the nearest bound. */
  | { kind: 'clamp'; param: string; min: number; max: number; why: string; when?: 'thinking' | 'not-thinking' }
  /** The vendor spells it differently (`max_tokens` → `max_completion_tokens`); an existing target wins. */
  | { kind: 'rename'; param: string; to: string; why: string; when?: 'thinking' | 'not-thinking' }
  /** The vendor accepts only this value: a different one sent by the client is replaced. */
  | { kind: 'fixed'; param: string; value: string | number | boolean; why: string; when?: 'thinking' | 'not-thinking' };

/**
 * How a vendor switches thinking on and off and sets its depth. The client's request
 * (OpenAI `reasoning_effort`, Anthropic `thinking`, Responses `reasoning.effort`, Gemini
 * `thinkingConfig`) arrives here as a `ReasoningRequest` and leaves in the vendor's form.
 */
export type ThinkingStyle =
  /** OpenAI (and xAI, Gemini's OpenAI endpoint): `reasoning_effort` as sent. */
  | 'reasoning-effort'
  /** `thinking: {type: "enabled" | "disabled"}` (DeepSeek, GLM, Kimi, Doubao — Doubao also "auto"). */
  | 'thinking-type'
  /** `enable_thinking: bool` with `thinking_budget` (Qwen on DashScope, SiliconFlow, Hunyuan). */
  | 'enable-thinking'
  /** `thinking: {type: "enabled", budget_tokens}` (Anthropic's OpenAI SDK endpoint); effort "none" sends none. */
  | 'thinking-budget'
  /** The model always thinks (or never): any reasoning setting (reasoning_effort, thinking, enable_thinking) is dropped. */
  | 'fixed'
  /** No known switch: reasoning settings are dropped so the vendor does not reject them. */
  | 'none';

/** The effort levels a client can ask for. */
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

/** What the client asked for, protocol-free. `effort: 'none'` asks for no thinking. */
export interface ReasoningRequest {
  effort?: ReasoningEffort;
  budgetTokens?: number;
}

/**
 * Which `tool_choice` values a vendor takes; the engine moves the others to the nearest one.
 * - 'all': every OpenAI value.
 * - 'auto-none': only "auto" and "none"; "required" and a named function become "auto".
 * - 'no-required': all but "required", which becomes "auto" (a named function stays).
 * - 'auto-only': only "auto"; "none" is honoured by sending no tools (and no tool_choice).
 * - 'none-supported': no tool_choice at all: it is removed.
 */
export type ToolChoiceSupport = 'all' | 'auto-none' | 'no-required' | 'auto-only' | 'none-supported';

/** Whether a vendor needs the previous assistant turn's reasoning sent back in a tool loop. */
export type ReasoningReplay =
  /** It answers 400 unless `reasoning_content` of the tool-calling turn comes back (DeepSeek V4). */
  | 'required'
  /** It rejects reasoning in input: strip it. */
  | 'reject'
  /** It ignores it either way (the default): pass what the client sent. */
  | 'ignore';

/** Where a vendor puts reasoning in its answers. */
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'think-tags';

/** Everything a model is subject to; every field optional so layers can overlay. */
export interface ModelRules {
  parameters?: ParameterRule[];
  thinking?: ThinkingStyle;
  /** The model thinks unless told not to (DeepSeek V4, Qwen3 commercial "thinking" ids). */
  thinksByDefault?: boolean;
  /**
   * `thinking: {type: "auto"}` (the model decides) is accepted (Doubao seed 1.6). Elsewhere, with the
   * `thinking-type` style, a client's "auto" is removed so the vendor's default applies.
   */
  thinkingAuto?: boolean;
  /** The vendor answers only streams: the gateway streams upstream and assembles JSON. */
  streamOnly?: boolean;
  /** `stream_options` is accepted: always, only together with `stream: true`, or never. */
  streamOptions?: 'always' | 'with-stream' | 'never';
  /** `tool_choice` values the vendor takes; others are replaced by the nearest ('auto'). */
  toolChoice?: ToolChoiceSupport;
  /** `tool_choice` values taken while the request thinks, when fewer than `toolChoice` (Kimi, Qwen). */
  toolChoiceWhenThinking?: ToolChoiceSupport;
  /**
   * For the 'reasoning-effort' style: the vendor's value for each effort a client may ask for,
   * when the vendor takes other levels (Kimi K3, GLM-5.3: low/high/max). `null` sends none, so
   * the vendor's default applies — for a model that cannot stop thinking, also for 'none'.
   */
  efforts?: Partial<Record<NonNullable<ReasoningRequest['effort']>, string | null>>;
  /** `n` > 1 is accepted. */
  multipleChoices?: boolean;
  imageDelivery?: ImageDelivery;
  reasoningReplay?: ReasoningReplay;
  reasoningField?: ReasoningField;
}

/** A rule set for the models of one vendor whose id matches `match` (first match wins). */
export interface ModelFamily {
  /** Shown in the docs table. */
  name: string;
  match: RegExp;
  rules: ModelRules;
}

/** One vendor's rules: the defaults for all its models, then per-family overlays. */
export interface VendorRules {
  defaults: ModelRules;
  families: readonly ModelFamily[];
  /** Vendor answers that mean the API key itself is unusable (src/providers/key-failure-rules.ts), beyond the common ones. */
  keyFailures?: readonly KeyFailureRule[];
}

/** Why a key is taken out of a pool's rotation. */
export type KeyFailureReason = 'auth' | 'quota' | 'rate-limit';

export interface KeyFailureRule {
  /** HTTP statuses this rule looks at; any status when omitted. */
  status?: readonly number[];
  /** Tested against the raw error body (small, bounded by the caller). */
  pattern?: RegExp;
  reason: KeyFailureReason;
  why?: string;
}

/** The resolved rules of one deployment: vendor defaults, family, provider YAML, model YAML. */
export interface ResolvedRules extends ModelRules {
  parameters: ParameterRule[];
  /** The family name that matched, for logs and the docs. */
  family: string | null;
}
