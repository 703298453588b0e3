import type { Logger } from 'pino';
import type { Pricing } from '../config/types.js';
import { budgetPeriodEnd, budgetPeriodStart, DEFAULT_RESERVED_OUTPUT_TOKENS, LocalBudgetReservations, type Budget } from '../limits/budget.js';
import type { RedisBudgetStore, SharedReservation } from '../limits/redis-budget.js';
import { RateLimiter, rateLimitHeaders } from '../limits/rate-limiter.js';
import type { RedisRateLimiter } from '../limits/redis-rate-limiter.js';
import { costOf } from '../observability/usage-record.js';
import { plainUsage } from '../core/usage.js';
import { bothAccess, modelAccessFor, modelNotAllowed, type ModelAccess } from '../router/model-access.js';
import { DEFAULT_BUDGET_CURRENCY, hashApiKey, type ApiKeyRecord, type Repositories, type TeamRecord } from '../storage/index.js';
import type { ApiCaller } from './api-auth.js';
import { GatewayError } from './errors.js';

export interface VirtualCaller extends ApiCaller {
  kind: 'virtual';
  record: ApiKeyRecord;
  /** Tokens reserved by the rate limiter before the answer, corrected in settle(). */
  reserved: number;
  /** Estimated cost held against the key's budget until settle(); null when none is held. */
  budgetHold: BudgetHold | null;
  /** The key's team at admission (its budget and limits cap the key), or null. */
  team: TeamRecord | null;
  /** The team's allowed models, known from authentication on (routing restricts by them too). */
  teamAllowedModels: readonly string[] | null;
  teamHold: BudgetHold | null;
  teamReserved: number;
}

interface BudgetHold {
  /** The budget's owner: a key id, or `team:<id>`. */
  owner: string;
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

const budgetError = (budget: Budget, inFlight: boolean, whose = 'This API key') => {
  const period = budget.period === 'total' ? 'total' : budget.period === 'day' ? 'daily' : 'monthly';
  return new GatewayError(
    inFlight
      ? `${whose}'s requests in flight would pass its ${period} budget of ${budget.amount}; retry when they have finished.`
      : `${whose} has used its ${period} budget of ${budget.amount}; ask the operator to raise it.`,
    { status: 429, code: 'budget_exceeded', type: 'rate_limit_error', headers: inFlight ? { 'retry-after': '1' } : undefined },
  );
};

const isVirtual = (caller: ApiCaller): caller is VirtualCaller => caller.kind === 'virtual';
const budgetCurrency = (record: ApiKeyRecord): string => record.budget?.currency ?? DEFAULT_BUDGET_CURRENCY;

/** The caller's allowed-models check (precomputed per key), or null when it may use every model. */
export const callerModelAccess = (caller: ApiCaller): ModelAccess | null =>
  isVirtual(caller) ? bothAccess(modelAccessFor(caller.record.allowedModels), modelAccessFor(caller.teamAllowedModels)) : null;

/** Only spend in a budget's own currency counts against it, so only that is reserved. */
const estimateIn = (model: AdmittedModel, currency: string, promptTokens: number, outputTokens: number): number =>
  costOf(model.pricing && (model.pricing.currency ?? DEFAULT_BUDGET_CURRENCY) === currency ? model.pricing : null, plainUsage(promptTokens, outputTokens));

/** Team budgets and limits live beside keys' under an id no key can have. */
const teamOwner = (teamId: string) => `team:${teamId}`;

const teamModelNotAllowed = (name: string) =>
  new GatewayError(`This API key's team may not use the model \`${name.slice(0, 200)}\`.`, { status: 403, code: 'model_not_allowed', param: 'model' });

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
  private teams = new Map<string, TeamRecord>();
  /** Member key ids per team (revoked keys too: their spend still counts). */
  private teamMembers = new Map<string, string[]>();
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
    const [teams, members] = await Promise.all([this.repositories.teams.list(), this.repositories.teams.members()]);
    this.teams = new Map(teams.map((t) => [t.id, t]));
    this.teamMembers = members;
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
    for (const team of this.teams.values()) {
      if (!team.budget) continue;
      const ids = this.teamMembers.get(team.id) ?? [];
      const since = team.budget.period === 'total' ? 0 : budgetPeriodStart(team.budget.period, now).getTime();
      const totals = ids.length > 0 ? await this.repositories.usage.spendTotalsForKeys({ since, keyIds: ids, currency: team.budget.currency }) : {};
      const owner = teamOwner(team.id);
      const sum = ids.reduce((total, id) => total + (totals[id] ?? 0), 0);
      const current = this.spendSince.get(owner) === since ? (this.spend.get(owner) ?? 0) : 0;
      next.set(owner, Math.max(sum, current));
      nextSince.set(owner, since);
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
    const teamAllowedModels = record.teamId === null ? null : (this.teams.get(record.teamId)?.allowedModels ?? null);
    return { kind: 'virtual', keyId: record.id, keyName: record.name, record, reserved: 0, budgetHold: null, team: null, teamHold: null, teamReserved: 0, teamAllowedModels };
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
    const team = record.teamId === null ? null : (this.teams.get(record.teamId) ?? null);
    if (team?.allowedModels) {
      const teamAccess = modelAccessFor(team.allowedModels)!;
      if (!teamAccess.allowsModel(model) && !teamAccess.allowsName(requestedName)) throw teamModelNotAllowed(requestedName ?? model.name);
    }
    const reservedOutput = maxOutputTokens === null ? (model.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS) : output;
    if (record.budget) {
      const estimate = estimateIn(model, budgetCurrency(record), promptTokens, reservedOutput);
      caller.budgetHold = this.sharedBudgets
        ? await this.holdShared(record.id, record.budget, estimate, now, 'This API key')
        : this.holdLocal(record.id, record.budget, estimate, 'This API key');
    }
    let headers: Record<string, string> = {};
    try {
      if (team) await this.admitTeam(caller, team, model, promptTokens, reservedOutput, estimatedTokens, now);
      if (!record.rpmLimit && !record.tpmLimit) return headers;
      // No await on the local path.
      headers = this.shared ? await this.sharedRate(caller, estimatedTokens, now) : this.localRate(caller, estimatedTokens, now);
      return headers;
    } catch (error) {
      this.releaseHolds(caller, 0);
      throw error;
    }
  }

  /** The team's budget and RPM/TPM, shared by all its keys; checked after the key's own. */
  private async admitTeam(
    caller: VirtualCaller,
    team: TeamRecord,
    model: AdmittedModel,
    promptTokens: number,
    reservedOutput: number,
    estimatedTokens: number,
    now: number,
  ): Promise<void> {
    caller.team = team;
    const owner = teamOwner(team.id);
    if (team.budget) {
      const estimate = estimateIn(model, team.budget.currency, promptTokens, reservedOutput);
      caller.teamHold = this.sharedBudgets
        ? await this.holdShared(owner, team.budget, estimate, now, "This API key's team")
        : this.holdLocal(owner, team.budget, estimate, "This API key's team");
    }
    if (!team.rpmLimit && !team.tpmLimit) return;
    const request = { rpm: team.rpmLimit, tpm: team.tpmLimit, estimatedTokens, now };
    let result;
    if (this.shared) {
      try {
        result = await this.shared.checkAndConsume(owner, request);
      } catch (error) {
        this.logger?.warn({ err: String(error) }, 'shared rate limiter unavailable; using the local one');
        result = this.limiter.checkAndConsume(owner, request);
      }
    } else result = this.limiter.checkAndConsume(owner, request);
    if (!result.allowed) {
      throw new GatewayError(
        result.reason === 'requests'
          ? `Rate limit reached: ${team.rpmLimit} requests per minute for this key's team.`
          : `Rate limit reached: ${team.tpmLimit} tokens per minute for this key's team.`,
        { status: 429, code: result.reason === 'requests' ? 'rate_limit_requests' : 'rate_limit_tokens', type: 'rate_limit_error', headers: rateLimitHeaders(result) },
      );
    }
    caller.teamReserved = estimatedTokens;
  }

  private holdLocal(owner: string, budget: Budget, estimate: number, whose: string): BudgetHold {
    const spend = this.spend.get(owner) ?? 0;
    if (!this.holds.tryReserve(owner, spend, estimate, budget.amount)) throw budgetError(budget, spend < budget.amount, whose);
    return { owner, estimate, shared: null, ttlMs: 0 };
  }

  private async holdShared(owner: string, budget: Budget, estimate: number, now: number, whose: string): Promise<BudgetHold> {
    const spend = this.spend.get(owner) ?? 0;
    if (spend >= budget.amount) throw budgetError(budget, false, whose);
    const periodStart = budget.period === 'total' ? 0 : budgetPeriodStart(budget.period, now).getTime();
    const end = budget.period === 'total' ? null : budgetPeriodEnd(budget.period, now);
    const ttlMs = end ? end.getTime() - now + 3_600_000 : TOTAL_PERIOD_TTL_MS;
    let shared;
    try {
      shared = await this.sharedBudgets!.tryReserve({
        keyId: owner,
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
      return this.holdLocal(owner, budget, estimate, whose);
    }
    if (!shared) throw budgetError(budget, true, whose);
    return { owner, estimate, shared, ttlMs };
  }

  /** Gives the reserved estimates back; the real cost counted against each budget (if any) is added to its spend. */
  private releaseHolds(caller: VirtualCaller, keyCost: number, teamCost = keyCost): void {
    const { budgetHold, teamHold } = caller;
    caller.budgetHold = null;
    caller.teamHold = null;
    if (budgetHold) this.releaseHold(budgetHold, keyCost);
    if (teamHold) this.releaseHold(teamHold, teamCost);
  }

  private releaseHold(hold: BudgetHold, cost: number): void {
    if (!hold.shared) {
      this.holds.release(hold.owner, hold.estimate);
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
    // Spend in another currency than a budget's never counts against it (no exchange rates).
    const counted = currency === budgetCurrency(caller.record) ? cost : 0;
    const team = caller.team;
    const teamCounted = team?.budget && currency === team.budget.currency ? cost : 0;
    this.releaseHolds(caller, counted, teamCounted);
    if (caller.record.tpmLimit) this.recordTokens(caller.record.id, totalTokens, now, caller.reserved);
    if (counted > 0) this.spend.set(caller.record.id, (this.spend.get(caller.record.id) ?? 0) + counted);
    if (team === null) return;
    const owner = teamOwner(team.id);
    if (team.tpmLimit) this.recordTokens(owner, totalTokens, now, caller.teamReserved);
    if (teamCounted > 0) this.spend.set(owner, (this.spend.get(owner) ?? 0) + teamCounted);
  }

  private recordTokens(owner: string, totalTokens: number, now: number, reserved: number): void {
    if (this.shared) {
      this.shared.recordTokens(owner, totalTokens, now, reserved).catch(() => this.limiter.recordTokens(owner, totalTokens, now, reserved));
    } else this.limiter.recordTokens(owner, totalTokens, now, reserved);
  }
}
