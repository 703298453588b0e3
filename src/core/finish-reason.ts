/** Why generation stopped, in neutral terms; each protocol maps its own reasons to these. */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'stop-sequence'
  | 'tool-calls'
  | 'content-filter'
  | 'refusal'
  /** Anthropic's `pause_turn`: a long-running server tool turn the client should continue. */
  | 'pause'
  | 'error'
  | 'other';
