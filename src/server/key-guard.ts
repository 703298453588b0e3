import type { Logger } from 'pino';
import type { Pricing } from '../config/types.js';
import { budgetPeriodEnd, budgetPeriodStart, DEFAULT_RESERVED_OUTPUT_TOKENS, LocalBudgetReservations, type Budget } from '../limits/budget.js';
import type { RedisBudgetStore, SharedReservation } from '../limits/redis-budget.js';
import { RateLimiter, rateLimitHeaders } from '../limits/rate-limiter.js';
import type { RedisRateLimiter } from '../limits/redis-rate-limiter.js';
import { costOf } from '../observability/usage-record.js';
import { plainUsage } from '../core/usage.js';
import { modelAccessFor, modelNotAllowed, type ModelAccess } from '../router/model-access.js';
import { DEFAULT_BUDGET_CURRENCY, hashApiKey, type ApiKeyRecord, type Repositories } from '../storage/index.js';
import type { ApiCaller } from './api-auth.js';
import { GatewayError } from './errors.js';

export interface VirtualCaller extends ApiCaller {
  kind: 'virtual';
  record: ApiKeyRecord;
  /** Tokens reserved by the rate limiter before the answer, corrected in settle(). */
  reserved: number;
  /** Estimated cost held against the key's budget until settle(); null when none is held. */
  budgetHold: BudgetHold | null;
}

interface BudgetHold {
  estimate: number;
  /** Set when the hold is in Redis (shared by all instances); otherwise it is local. */
  shared: SharedReservation | null;
  ttlMs: number;
}

/** What admission needs to know about the model to estimate the cost it reserves. */
export interface AdmittedModel {
  key: string;
  name: string;
  aliases: string[];
  pricing?: Pricing | null;
  maxOutputTokens?: number | null;
}

/** A reservation left unsettled (its instance died) stops counting after this. */
const SHARED_HOLD_MS = 20 * 60_000;
const TOTAL_PERIOD_TTL_MS = 35 * 86_400_000;

const budgetError = (budget: Budget, inFlight: boolean) => {
  const period = budget.period === 'total' ? 'total' : budget.period === 'day' ? 'daily' : 'monthly';
  return new GatewayError(
    inFlight
      ? `This API key's requests in flight would pass its ${period} budget of ${budget.amount}; retry when they have finished.`
      : `This API key has used its ${period} budget of ${budget.amount}; ask the operator to raise it.`,
    { status: 429, code: 'budget_exceeded', type: 'rate_limit_error', headers: inFlight ? { 'retry-after': '1' } : undefined },
  );
};

const isVirtual = (caller: ApiCaller): caller is VirtualCaller => caller.kind === 'virtual';
const budgetCurrency = (record: ApiKeyRecord): string => record.budget?.currency ?? DEFAULT_BUDGET_CURRENCY;

/** The caller's allowed-models check (precomputed per key), or null when it may use every model. */
export const callerModelAccess = (caller: ApiCaller): ModelAccess | null =>
  isVirtual(caller) ? modelAccessFor(caller.record.allowedModels) : null;

/**
 * Virtual keys checked from memory only: the key table and each key's spend are
 * loaded off the request path (on every state change and every few seconds), so a
 * request never waits for the database.
 */
export class KeyGuard {
  private keys = new Map<string, ApiKeyRecord>();
  private spend = new Map<string, number>();
  /** The period start each `spend` entry counts from. */
  private spendSince = new Map<string, number>();
  private readonly holds = new LocalBudgetReservations();
  private readonly limiter = new RateLimiter();
  private timer: NodeJS.Timeout | null = null;

  /**
   * With a shared limiter (Redis), limits hold across workers and instances; without
   * one they are per process. A Redis failure falls back to the local limiter rather
   * than failing requests.
   */
  constructor(
    private readonly repositories: Repositories,
    private readonly logger?: Logger,
    private readonly shared: RedisRateLimiter | null = null,
    private readonly sharedBudgets: RedisBudgetStore | null = null,
  ) {}

  async reloadKeys(): Promise<void> {
    this.keys = await this.repositories.apiKeys.loadAllActiveForCache();
    await this.refreshSpend();
  }

  /**
   * Spend per key for its budget period and in its budget currency, from the running
   * totals (includes other workers). Spend in other currencies never counts.
   */
  async refreshSpend(now = Date.now()): Promise<void> {
    const next = new Map<string, number>();
    const nextSince = new Map<string, number>();
    const byPeriod = new Map<string, string[]>();
    for (const record of this.keys.values()) {
      if (!record.budget) continue;
      const group = `${record.budget.period}|${budgetCurrency(record)}`;
      const list = byPeriod.get(group) ?? [];
      list.push(record.id);
      byPeriod.set(group, list);
    }
    for (const [group, ids] of byPeriod) {
      const [period, currency] = group.split('|') as [string, string];
      const since = period === 'total' ? 0 : budgetPeriodStart(period as 'day' | 'month', now).getTime();
      const totals = await this.repositories.usage.spendTotalsForKeys({ since, keyIds: ids, currency });
      for (const id of ids) {
        // Costs settled here whose rows are not written yet (the writer batches, or the
        // database is down) must not vanish from the view: keep the larger figure.
        const current = this.spendSince.get(id) === since ? (this.spend.get(id) ?? 0) : 0;
        next.set(id, Math.max(totals[id] ?? 0, current));
        nextSince.set(id, since);
      }
    }
    this.spend = next;
    this.spendSince = nextSince;
  }

  startRefreshing(intervalMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refreshSpend().catch((error) => this.logger?.error({ err: error }, 'spend refresh failed'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Returns the caller for a presented `sk-gw-…` secret, or null when it is not one of ours. */
  authenticate(secret: string, now = Date.now(), hash = hashApiKey(secret)): VirtualCaller | null {
    const record = this.keys.get(hash);
    if (!record) return null;
    if (record.revokedAt !== null) {
      throw new GatewayError('This API key has been revoked.', { status: 401, code: 'api_key_revoked', type: 'authentication_error' });
    }
    if (record.expiresAt !== null && record.expiresAt <= now) {
      throw new GatewayError('This API key has expired.', { status: 401, code: 'api_key_expired', type: 'authentication_error' });
    }
    return { kind: 'virtual', keyId: record.id, keyName: record.name, record, reserved: 0, budgetHold: null };
  }

  /**
   * Allowed models, budget (the estimated cost is reserved until settle()) and RPM/TPM;
   * returns the `x-ratelimit-*` headers to send. `maxOutputTokens` is the request's
   * max_tokens (null: not set, so the model's maximum or a default is reserved).
   */
  async admit(
    caller: ApiCaller,
    model: AdmittedModel,
    requestedName: string | undefined,
    promptTokensInput: number,
    maxOutputTokens: number | null = 0,
    now = Date.now(),
  ): Promise<Record<string, string>> {
    if (!isVirtual(caller)) return {};
    const promptTokens = Number.isFinite(promptTokensInput) && promptTokensInput > 0 ? promptTokensInput : 0;
    const output = maxOutputTokens !== null && Number.isFinite(maxOutputTokens) && maxOutputTokens > 0 ? maxOutputTokens : 0;
    const estimatedTokens = promptTokens + output;
    const { record } = caller;
    const access = modelAccessFor(record.allowedModels);
    if (access && !access.allowsModel(model) && !access.allowsName(requestedName)) throw modelNotAllowed(requestedName ?? model.name);
    if (record.budget) {
      const reservedOutput = maxOutputTokens === null ? (model.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS) : output;
      // Only spend in the budget's own currency counts, so only that is reserved.
      const pricing = model.pricing && model.pricing.currency === budgetCurrency(record) ? model.pricing : null;
      const estimate = costOf(pricing, plainUsage(promptTokens, reservedOutput));
      if (this.sharedBudgets) await this.holdShared(caller, record.budget, estimate, now);
      else this.holdLocal(caller, record.budget, estimate);
    }
    if (!record.rpmLimit && !record.tpmLimit) return {};
    try {
      // No await on the local path.
      return this.shared ? await this.sharedRate(caller, estimatedTokens, now) : this.localRate(caller, estimatedTokens, now);
    } catch (error) {
      this.releaseHold(caller, 0);
      throw error;
    }
  }

  private holdLocal(caller: VirtualCaller, budget: Budget, estimate: number): void {
    const id = caller.record.id;
    const spend = this.spend.get(id) ?? 0;
    if (!this.holds.tryReserve(id, spend, estimate, budget.amount)) throw budgetError(budget, spend < budget.amount);
    caller.budgetHold = { estimate, shared: null, ttlMs: 0 };
  }

  private async holdShared(caller: VirtualCaller, budget: Budget, estimate: number, now: number): Promise<void> {
    const id = caller.record.id;
    const spend = this.spend.get(id) ?? 0;
    if (spend >= budget.amount) throw budgetError(budget, false);
    const periodStart = budget.period === 'total' ? 0 : budgetPeriodStart(budget.period, now).getTime();
    const end = budget.period === 'total' ? null : budgetPeriodEnd(budget.period, now);
    const ttlMs = end ? end.getTime() - now + 3_600_000 : TOTAL_PERIOD_TTL_MS;
    let shared;
    try {
      shared = await this.sharedBudgets!.tryReserve({
        keyId: id,
        periodStart,
        ttlMs,
        amount: budget.amount,
        localSpend: spend,
        estimate,
        now,
        deadline: now + SHARED_HOLD_MS,
      });
    } catch (error) {
      this.logger?.warn({ err: String(error) }, 'shared budget store unavailable; reserving locally');
      this.holdLocal(caller, budget, estimate);
      return;
    }
    if (!shared) throw budgetError(budget, true);
    caller.budgetHold = { estimate, shared, ttlMs };
  }

  /** Gives the reserved estimate back; the real cost (if any) is added to the spend. */
  private releaseHold(caller: VirtualCaller, cost: number): void {
    const hold = caller.budgetHold;
    if (!hold) return;
    caller.budgetHold = null;
    if (!hold.shared) {
      this.holds.release(caller.record.id, hold.estimate);
      return;
    }
    this.sharedBudgets!.settle(hold.shared, cost, hold.ttlMs).catch((error: unknown) =>
      this.logger?.warn({ err: String(error) }, 'shared budget store unavailable; its reservation expires on its own'),
    );
  }

  /** The shared (Redis) limiter, or the local one when it fails. */
  private async sharedRate(caller: VirtualCaller, estimatedTokens: number, now: number): Promise<Record<string, string>> {
    const request = { rpm: caller.record.rpmLimit, tpm: caller.record.tpmLimit, estimatedTokens, now };
    let result;
    try {
      result = await this.shared!.checkAndConsume(caller.record.id, request);
    } catch (error) {
      this.logger?.warn({ err: String(error) }, 'shared rate limiter unavailable; using the local one');
      result = this.limiter.checkAndConsume(caller.record.id, request);
    }
    return this.rateOutcome(caller, result, estimatedTokens);
  }

  private localRate(caller: VirtualCaller, estimatedTokens: number, now: number): Record<string, string> {
    const request = { rpm: caller.record.rpmLimit, tpm: caller.record.tpmLimit, estimatedTokens, now };
    return this.rateOutcome(caller, this.limiter.checkAndConsume(caller.record.id, request), estimatedTokens);
  }

  private rateOutcome(caller: VirtualCaller, result: ReturnType<RateLimiter['checkAndConsume']>, estimatedTokens: number): Record<string, string> {
    const { record } = caller;
    const headers = rateLimitHeaders(result);
    if (!result.allowed) {
      throw new GatewayError(
        result.reason === 'requests'
          ? `Rate limit reached: ${record.rpmLimit} requests per minute for this key.`
          : `Rate limit reached: ${record.tpmLimit} tokens per minute for this key.`,
        { status: 429, code: result.reason === 'requests' ? 'rate_limit_requests' : 'rate_limit_tokens', type: 'rate_limit_error', headers },
      );
    }
    caller.reserved = estimatedTokens;
    return headers;
  }

  /** `currency`: the cost's (the model's pricing currency); only the budget's own currency counts. */
  settle(caller: ApiCaller, totalTokens: number, cost: number, currency = DEFAULT_BUDGET_CURRENCY, now = Date.now()): void {
    if (!isVirtual(caller)) return;
    // Spend in another currency than the budget's never counts against it (no exchange rates).
    const counted = currency === budgetCurrency(caller.record) ? cost : 0;
    this.releaseHold(caller, counted);
    if (caller.record.tpmLimit) {
      if (this.shared) {
        this.shared.recordTokens(caller.record.id, totalTokens, now, caller.reserved).catch(() => this.limiter.recordTokens(caller.record.id, totalTokens, now, caller.reserved));
      } else this.limiter.recordTokens(caller.record.id, totalTokens, now, caller.reserved);
    }
    if (counted > 0) this.spend.set(caller.record.id, (this.spend.get(caller.record.id) ?? 0) + counted);
  }
}
