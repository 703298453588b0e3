import type { CircuitBreaker, CircuitCoordinator, CircuitOpening } from '../router/circuit-breaker.js';
import type { ClusterBus } from './cluster-bus.js';

/**
 * Circuit-breaker openings shared between instances. An opening is published on the bus
 * (seen by the others within milliseconds) and stored as `<prefix>breaker:<id>` for
 * instances that connect later. When the cooldown ends, instances race for a
 * `SET NX PX` lease on `<prefix>probe:<id>`: only the winner sends the half-open probe; the
 * others keep the circuit open until they hear its outcome. The first lease is short (a
 * claim): an instance that wins it but has no traffic for the deployment lets it lapse,
 * and from then on only instances that are asked for the deployment race, so an idle
 * instance cannot hold the circuit open. Sending the probe extends the lease to the probe
 * timeout. Failure counting stays local: each instance decides from what it saw, but once
 * one decides, all follow. Without Redis the breaker behaves as a per-process one.
 */
export class SharedBreakers implements CircuitCoordinator {
  /** Probe leases this instance holds: deployment id → lease end. */
  private readonly leases = new Map<string, number>();
  /** Another instance holds the lease until then: do not ask Redis again before. */
  private readonly lostUntil = new Map<string, number>();
  private readonly racing = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly claimMs: number;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly bus: ClusterBus,
  ) {
    this.claimMs = Math.min(breaker.probeTimeoutMs, 2_000);
    breaker.coordinator = this;
    bus.on((event) => {
      if (event.type === 'breaker-open') {
        this.breaker.applyRemoteOpen(event.id, event);
        this.forget(event.id);
        this.scheduleRace(event.id, event.reopensAt);
      } else if (event.type === 'breaker-close') {
        this.forget(event.id);
        this.breaker.applyRemoteClose(event.id);
      }
    });
    bus.onConnect(() => this.converge());
  }

  private forget(id: string): void {
    this.leases.delete(id);
    this.lostUntil.delete(id);
  }

  private key(kind: 'breaker' | 'probe', id: string): string {
    return `${this.bus.prefix}${kind}:${id}`;
  }

  opened(id: string, opening: CircuitOpening): void {
    this.forget(id);
    this.scheduleRace(id, opening.reopensAt);
    if (!this.bus.connected()) return;
    const ttl = Math.max(1, opening.reopensAt - Date.now() + this.breaker.probeTimeoutMs);
    const { redis } = this.bus;
    redis
      .multi()
      .set(this.key('breaker', id), JSON.stringify(opening), 'PX', ttl)
      .del(this.key('probe', id))
      .exec()
      .catch(() => undefined);
    this.bus.publish({ type: 'breaker-open', id, ...opening });
  }

  closed(id: string): void {
    this.forget(id);
    this.clearTimer(id);
    if (!this.bus.connected()) return;
    this.bus.redis.del(this.key('breaker', id), this.key('probe', id)).catch(() => undefined);
    this.bus.publish({ type: 'breaker-close', id });
  }

  mayProbe(id: string, now: number): boolean {
    // Redis away: every instance decides alone, as without sharing.
    if (!this.bus.connected()) return true;
    const lease = this.leases.get(id);
    if (lease !== undefined && lease > now) return true;
    if ((this.lostUntil.get(id) ?? 0) > now) return false;
    this.race(id);
    return false;
  }

  probing(id: string): void {
    if (!this.leases.has(id) || !this.bus.connected()) return;
    const ttl = this.breaker.probeTimeoutMs;
    this.leases.set(id, Date.now() + ttl);
    this.bus.redis.pexpire(this.key('probe', id), ttl).catch(() => undefined);
  }

  /** Race for the lease when the cooldown ends, so the winner knows before traffic asks. */
  private scheduleRace(id: string, at: number): void {
    this.clearTimer(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.race(id);
    }, Math.max(0, at - Date.now()));
    timer.unref();
    this.timers.set(id, timer);
  }

  private clearTimer(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private race(id: string): void {
    if (this.racing.has(id) || !this.bus.connected()) return;
    this.racing.add(id);
    const ttl = this.claimMs;
    this.bus.redis
      .set(this.key('probe', id), this.bus.instanceId, 'PX', ttl, 'NX')
      .then((won) => {
        if (won === 'OK') this.leases.set(id, Date.now() + ttl);
        // Lost: someone else probes. Ask again only when a request wants the deployment.
        else this.lostUntil.set(id, Date.now() + ttl);
      })
      .catch(() => undefined)
      .finally(() => this.racing.delete(id));
  }

  /** After an outage: publish what opened here meanwhile, adopt what opened elsewhere. */
  async converge(): Promise<void> {
    const now = Date.now();
    for (const [id, opening] of this.breaker.openings()) {
      if (opening.reopensAt > now) this.opened(id, opening);
    }
    const prefix = this.key('breaker', '');
    let cursor = '0';
    do {
      const [next, keys] = await this.bus.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.bus.redis.mget(keys);
      values.forEach((value, index) => {
        if (!value) return;
        const id = keys[index]!.slice(prefix.length);
        try {
          const opening = JSON.parse(value) as CircuitOpening;
          this.breaker.applyRemoteOpen(id, opening);
          this.scheduleRace(id, opening.reopensAt);
        } catch {
          // A malformed entry is ignored; it expires by itself.
        }
      });
    } while (cursor !== '0');
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
