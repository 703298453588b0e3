import type { FinishReason } from '../../core/finish-reason.js';

/** Anthropic `stop_reason` values, https://docs.anthropic.com/en/api/handling-stop-reasons */
export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export const fromAnthropicStopReason = (reason: unknown): FinishReason => {
  switch (reason) {
    case 'end_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'stop_sequence':
      return 'stop-sequence';
    case 'tool_use':
      return 'tool-calls';
    case 'pause_turn':
      return 'pause';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
};

export const toAnthropicStopReason = (reason: FinishReason): AnthropicStopReason => {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'stop-sequence':
      return 'stop_sequence';
    case 'tool-calls':
      return 'tool_use';
    case 'pause':
      return 'pause_turn';
    case 'refusal':
    case 'content-filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
};
