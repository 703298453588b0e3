import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SharedReasoningTier } from '../providers/rules/reasoning-store.js';

/**
 * Replayed reasoning shared by every instance (REDIS_URL), so a tool loop whose turns land
 * on different instances still gets each turn's reasoning back. Keys are a sha256 of the
 * owner and the tool-call id (neither is stored in clear); every entry expires with the
 * local TTL and none is larger than the local per-entry cap. Redis trouble is a miss,
 * never a failed request.
 */
export class SharedReasoning implements SharedReasoningTier {
  private readonly prefix: string;
  errors = 0;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly connected: () => boolean,
  ) {
    this.prefix = `${prefix}reasoning:`;
  }

  private key(owner: string, toolCallId: string): string {
    return this.prefix + createHash('sha256').update(owner).update('\u0000').update(toolCallId).digest('base64url');
  }

  set(owner: string, toolCallId: string, reasoning: string, ttlMs: number): void {
    if (!this.connected()) return;
    this.redis.set(this.key(owner, toolCallId), reasoning, 'PX', Math.max(1, Math.ceil(ttlMs))).catch(() => {
      this.errors += 1;
    });
  }

  async getMany(owner: string, toolCallIds: readonly string[]): Promise<Array<string | null>> {
    if (toolCallIds.length === 0 || !this.connected()) return toolCallIds.map(() => null);
    try {
      return await this.redis.mget(...toolCallIds.map((id) => this.key(owner, id)));
    } catch {
      this.errors += 1;
      return toolCallIds.map(() => null);
    }
  }
}
