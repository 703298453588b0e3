/**
 * What the gateway remembers of assistant turns that ended in tool calls, for vendors
 * that answer 400 unless that turn's reasoning comes back (DeepSeek thinking mode; rule
 * `reasoningReplay: 'required'`) while many clients drop it from the history they send
 * (LangChain, most agent frameworks). Keyed by the caller and the turn's first tool-call
 * id: a tool-call id names one answer, and the caller part means one key can never make
 * the gateway put reasoning into another key's conversation. Bounded in entries, bytes
 * and time; the oldest use goes first (a Map keeps insertion order, a hit re-inserts).
 */
export interface ReasoningStoreOptions {
  maxEntries: number;
  maxBytes: number;
  ttlMs: number;
  /** Reasoning longer than this is not kept (one answer must not evict everything). */
  maxEntryBytes?: number;
  now?: () => number;
}

/** The tier every instance shares (Redis, src/state/shared-reasoning.ts): written through, read on a local miss. */
export interface SharedReasoningTier {
  set(owner: string, toolCallId: string, reasoning: string, ttlMs: number): void;
  getMany(owner: string, toolCallIds: readonly string[]): Promise<Array<string | null>>;
}

interface Entry {
  reasoning: string;
  bytes: number;
  expiresAt: number;
}

/** Per-entry overhead beyond the text (key, object, map slot), so many tiny entries still count. */
const ENTRY_OVERHEAD = 96;

export class ReasoningStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly now: () => number;
  private readonly maxEntryBytes: number;
  /** Set when REDIS_URL is: other instances' turns become visible here. */
  shared: SharedReasoningTier | null = null;

  constructor(private readonly options: ReasoningStoreOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? 1024 * 1024, options.maxBytes);
  }

  private static key(owner: string, toolCallId: string): string {
    return `${owner}\u0000${toolCallId}`;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Remembers `reasoning` for the turn whose first tool call is `toolCallId`, for `owner` only. */
  remember(owner: string, toolCallId: string, reasoning: string): void {
    if (this.keep(owner, toolCallId, reasoning)) this.shared?.set(owner, toolCallId, reasoning, this.options.ttlMs);
  }

  /** Asks the shared tier for the turns not known here (one round trip), and keeps what it has. */
  async fetchShared(owner: string, toolCallIds: readonly string[]): Promise<void> {
    if (!this.shared) return;
    const now = this.now();
    const missing = toolCallIds.filter((id) => {
      const entry = this.entries.get(ReasoningStore.key(owner, id));
      return !entry || entry.expiresAt <= now;
    });
    if (missing.length === 0) return;
    const found = await this.shared.getMany(owner, missing);
    found.forEach((reasoning, index) => {
      if (typeof reasoning === 'string') this.keep(owner, missing[index]!, reasoning);
    });
  }

  private keep(owner: string, toolCallId: string, reasoning: string): boolean {
    if (reasoning === '' || toolCallId === '') return false;
    const key = ReasoningStore.key(owner, toolCallId);
    // UTF-16 length × 2 bounds the heap the string takes; cheaper than a byte count.
    const bytes = (key.length + reasoning.length) * 2 + ENTRY_OVERHEAD;
    if (bytes > this.maxEntryBytes) return false;
    this.drop(key);
    this.entries.set(key, { reasoning, bytes, expiresAt: this.now() + this.options.ttlMs });
    this.bytes += bytes;
    this.evict();
    return true;
  }

  /** The reasoning `owner` got for that turn, or null (unknown, expired, or another owner's). */
  recall(owner: string, toolCallId: string): string | null {
    const key = ReasoningStore.key(owner, toolCallId);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.drop(key);
      return null;
    }
    // Recently used goes last, so the LRU end is the first key.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.reasoning;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > this.options.maxEntries || this.bytes > this.options.maxBytes;
      // Expired entries at the old end go too while we are here; stop at the first live one once within bounds.
      if (!over && entry.expiresAt > now) break;
      this.drop(key);
    }
  }
}

export interface ReasoningReplaySettings {
  /** 0 turns replay off (the vendor then sees only what the client sent). */
  entries: number;
  maxBytes: number;
  ttlMs: number;
}

export const createReasoningStore = (settings: ReasoningReplaySettings | undefined): ReasoningStore | null => {
  const chosen = settings ?? DEFAULT_REASONING_REPLAY;
  if (chosen.entries <= 0 || chosen.maxBytes <= 0) return null;
  return new ReasoningStore({ maxEntries: chosen.entries, maxBytes: chosen.maxBytes, ttlMs: chosen.ttlMs });
};

/** A day: DeepSeek wants every tool-call turn's reasoning in all later requests, so a resumed chat needs it too. */
export const DEFAULT_REASONING_REPLAY: ReasoningReplaySettings = { entries: 20_000, maxBytes: 64 * 1024 * 1024, ttlMs: 24 * 3600 * 1000 };
