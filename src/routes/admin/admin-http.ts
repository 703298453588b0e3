import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import type { RuntimeSettings } from '../../config/env.js';
import type { AdminPassword } from '../../server/admin/admin-password.js';
import type { AdminSessions, AdminSessionInfo } from '../../server/admin/admin-session.js';
import type { Redis } from 'ioredis';
import type { AccountLockout } from '../../server/admin/account-lockout.js';
import type { LoginLimiter } from '../../server/admin/login-limiter.js';
import type { OidcLogin } from '../../server/admin/oidc-login.js';
import type { AdminRole } from '../../core/admin-roles.js';
import { badRequest, GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { GatewayState } from '../../state/gateway-state.js';
import type { Repositories } from '../../storage/index.js';
import { errorEnvelopeSchema, noValidation } from '../openai/openapi-schemas.js';

/** What app.ts hands the admin routes. */
export interface AdminDeps {
  ctx: GatewayContext;
  state: GatewayState;
  repositories: Repositories;
  settings: RuntimeSettings;
  /** Shared state across workers/instances (login back-off) when REDIS_URL is set. */
  redis?: Redis | null;
  loginBackoff?: { freeFailures?: number; baseDelayMs?: number; maxDelayMs?: number };
}

export interface AdminServices extends AdminDeps {
  password: AdminPassword;
  sessions: AdminSessions;
  limiter: LoginLimiter;
  /** Single sign-on, when configured (OIDC_* settings). */
  oidc: OidcLogin | null;
  /** Per-account back-off on failed logins, on top of the per-address limiter. */
  accounts: AccountLockout;
}

/** The account behind a console change: what the audit log and change logs record. */
export const actorOf = (request: { adminSession: AdminSessionInfo | null }): string => sessionOf(request).user;

type Issue = z.core.$ZodIssue;

const valueAt = (value: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>((current, part) => (current && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[part] : undefined), value);

const issueParam = (issue: Issue) => issue.path.map((part) => String(part)).join('.');

/** Parse a body/query with zod; the first problem becomes a 400 naming the field in `param`. */
export const parseWith = <T extends z.ZodType>(schema: T, value: unknown, what = 'request'): z.output<T> => {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issueParam(issue);
  const missing = valueAt(value, issue.path) === undefined;
  if (!param) throw badRequest(`The ${what} body must be a JSON object.`, 'invalid_request');
  throw badRequest(
    missing ? `\`${param}\` is required.` : `Invalid ${what}: \`${param}\` ${issue.message.replace(/^Invalid input: /, '')}.`,
    missing ? 'missing_required_parameter' : 'invalid_request',
    param,
  );
};

/** Turn a zod error from the YAML-level schemas into a 400, translating snake_case names. */
export const yamlFieldError = (error: unknown, names: Record<string, string>, prefix = ''): GatewayError => {
  if (error instanceof GatewayError) return error;
  if (error instanceof z.ZodError) {
    const issue = error.issues[0]!;
    const [head, ...rest] = issue.path.map(String);
    const param = [names[head ?? ''] ?? head, ...rest].filter(Boolean).join('.');
    return badRequest(`Invalid ${prefix}\`${param}\`: ${issue.message}.`, 'invalid_request', param || null);
  }
  return badRequest(`Invalid ${prefix}definition: ${(error as Error)?.message ?? String(error)}`, 'invalid_request');
};

const jsonSchema = (schema: z.ZodType) => {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

const errorResponse = (description: string) => ({ description, ...errorEnvelopeSchema });

/**
 * Route options for the OpenAPI document. Bodies are validated by our zod schemas in the
 * handlers (400 naming the field), so Fastify's own validation is switched off.
 */
export const adminRoute = (
  summary: string,
  parts: { body?: z.ZodType; querystring?: z.ZodType; params?: z.ZodType; public?: boolean; description?: string; role?: AdminRole } = {},
) => {
  const schema: FastifySchema & Record<string, unknown> = {
    tags: ['Admin'],
    summary,
    ...(parts.description ? { description: parts.description } : {}),
    ...(parts.role ? { 'x-admin-role': parts.role } : {}),
    security: parts.public ? [] : [{ adminSession: [] }],
    ...(parts.body ? { body: jsonSchema(parts.body) } : {}),
    ...(parts.querystring ? { querystring: jsonSchema(parts.querystring) } : {}),
    ...(parts.params ? { params: jsonSchema(parts.params) } : {}),
    response: {
      400: errorResponse('Invalid request (`param` names the field)'),
      401: errorResponse('No admin session'),
      ...(parts.public ? {} : { 403: errorResponse('Missing or wrong x-csrf-token (mutating methods), or a role below the one needed') }),
    },
  };
  // The guard reads `config.adminRole`; routes that declare none need `admin` (fail closed).
  return { schema, validatorCompiler: noValidation, ...(parts.role ? { config: { adminRole: parts.role } } : {}) };
};

export const sessionOf = (request: { adminSession: AdminSessionInfo | null }): AdminSessionInfo => {
  if (!request.adminSession) throw new GatewayError('No admin session.', { status: 401, code: 'unauthorized' });
  return request.adminSession;
};

/** ISO-8601 for epoch-ms times (the contract's time format). */
export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

export const keyParams = z.object({ key: z.string().min(1) });
export const nameParams = z.object({ name: z.string().min(1) });
export const idParams = z.object({ id: z.string().min(1) });

/**
 * Waits until this worker's catalog includes `version`. A reload already in flight (the
 * poller) may have read the state just before our write, and `reload` joins it; a
 * second pass then picks the write up, so the answer always reflects the change.
 */
export const catchUp = async (state: GatewayState, version: number): Promise<void> => {
  for (let attempt = 0; attempt < 5 && state.catalog.version < version; attempt++) await state.reload(true);
};

/** `state.change` as an admin action, answered only once the catalog shows it. */
export const applyChange = async (
  state: GatewayState,
  meta: { actor: string; action: string; target: string },
  mutate: Parameters<GatewayState['change']>[1],
) => {
  const result = await state.change(meta, mutate);
  if (result.changed) await catchUp(state, result.version);
  return result;
};
