import type { FinishReason } from './finish-reason.js';
import type { AssistantPart } from './neutral-request.js';
import type { Usage } from './usage.js';

export interface NeutralResponse {
  id: string;
  model: string;
  content: AssistantPart[];
  finishReason: FinishReason;
  /** The stop sequence that matched, when the vendor says. */
  stopSequence?: string | null;
  usage: Usage | null;
}
