/**
 * Login attempts per client address over a sliding window. An attempt takes a slot
 * before the password is checked (so parallel guesses cannot slip through while the
 * first ones are still being verified) and gives it back when the password was right.
 * In memory, per process: with N workers a client gets at most N × max guesses a window.
 */
export interface LoginLimiterOptions {
  maxAttempts?: number;
  windowMs?: number;
  /** Addresses tracked at most; the least recently seen are dropped first. */
  maxClients?: number;
}

export type LoginAdmission = { allowed: true; release: () => void } | { allowed: false; retryAfterSeconds: number };

export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();
  private readonly maxAttempts: number;
  private readonly windowMs: number;
  private readonly maxClients: number;

  constructor(options: LoginLimiterOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxClients = options.maxClients ?? 10_000;
  }

  admit(client: string, now = Date.now()): LoginAdmission {
    const recent = (this.attempts.get(client) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.maxAttempts) {
      this.attempts.set(client, recent);
      const retryAfterMs = recent[0]! + this.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
    recent.push(now);
    // Re-inserting keeps Map order = least recently seen first, for eviction.
    this.attempts.delete(client);
    this.attempts.set(client, recent);
    this.evict();
    let released = false;
    return {
      allowed: true,
      release: () => {
        if (released) return;
        released = true;
        const list = this.attempts.get(client);
        const index = list?.indexOf(now) ?? -1;
        if (list && index >= 0) list.splice(index, 1);
      },
    };
  }

  private evict(): void {
    for (const client of this.attempts.keys()) {
      if (this.attempts.size <= this.maxClients) break;
      this.attempts.delete(client);
    }
  }
}
