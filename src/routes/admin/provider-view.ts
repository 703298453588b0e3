import { z } from 'zod';
import type { ProviderConfig } from '../../config/types.js';
import { adapterFor } from '../../providers/registry.js';
import type { Catalog, ProviderState } from '../../router/model-catalog.js';
import { GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { maskLast4 } from '../../storage/index.js';
import { mapUpstreamFailure } from '../../upstream/upstream-client.js';
import { scrubSecret, upstreamHttpError } from '../../upstream/upstream-error.js';
import type { ProviderCheck } from './provider-checks.js';

import { isReservedKeyEnv } from '../../config/key-env-policy.js';

const keyEnv = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
  .max(200)
  .refine((name) => !isReservedKeyEnv(name), "names one of the gateway's own or the system's variables");

const providerFields = {
  baseUrl: z.string().trim().max(2000).regex(/^https?:\/\/[^\s]+$/i, 'must be an http(s) URL'),
  description: z.string().max(2000),
  protocol: z.enum(['openai', 'anthropic', 'openai-responses', 'gemini']),
  keyEnv: keyEnv.nullable(),
  needsKey: z.boolean(),
  enabled: z.boolean(),
  timeoutMs: z.number().int().positive().max(3_600_000).nullable(),
  /** Addition to the contract: picks the vendor quirks (detected from name/URL when absent). */
  vendor: z.string().trim().min(1).max(50),
};

export const providerNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may only contain letters, digits, ".", "_" and "-"');

export const providerCreateSchema = z.object({
  name: providerNameSchema,
  baseUrl: providerFields.baseUrl,
  description: providerFields.description.optional(),
  protocol: providerFields.protocol.optional(),
  keyEnv: providerFields.keyEnv.optional(),
  needsKey: providerFields.needsKey.optional(),
  enabled: providerFields.enabled.optional(),
  timeoutMs: providerFields.timeoutMs.optional(),
  vendor: providerFields.vendor.optional(),
});

export const providerPatchSchema = providerCreateSchema.partial();
export type ProviderCreateBody = z.output<typeof providerCreateSchema>;
export type ProviderPatchBody = z.output<typeof providerPatchSchema>;

/** YAML field name → API field name, for errors raised by the YAML-level schema. */
export const providerFieldNames: Record<string, string> = {
  base_url: 'baseUrl',
  api_key_env: 'keyEnv',
  needs_key: 'needsKey',
  timeout_ms: 'timeoutMs',
};

/**
 * API body → overlay patch in the YAML's own field names. `undefined` removes an overlay
 * field (for a provider from the config folder its YAML value applies again).
 */
export const providerPatchData = (body: ProviderPatchBody, current: ProviderConfig | null): Record<string, unknown> => {
  const data: Record<string, unknown> = {};
  if (body.baseUrl !== undefined) data.base_url = body.baseUrl;
  if (body.description !== undefined) data.description = body.description;
  if (body.protocol !== undefined) data.protocol = body.protocol;
  if (body.keyEnv !== undefined) data.api_key_env = body.keyEnv ?? undefined;
  if (body.needsKey !== undefined) data.needs_key = body.needsKey;
  if (body.enabled !== undefined) data.enabled = body.enabled;
  if (body.vendor !== undefined) data.vendor = body.vendor.toLowerCase();
  if (body.timeoutMs !== undefined) {
    // The console edits the total; connect/first-byte/idle timeouts are kept.
    const t = current?.timeouts ?? {};
    const rest = {
      ...(t.connect ? { connect: t.connect } : {}),
      ...(t.firstByte ? { first_byte: t.firstByte } : {}),
      ...(t.idle ? { idle: t.idle } : {}),
    };
    data.timeout_ms = body.timeoutMs === null ? (Object.keys(rest).length ? rest : undefined) : { ...rest, total: body.timeoutMs };
  }
  return data;
};

export const toProviderView = (state: ProviderState, catalog: Catalog, adminMasked: Record<string, string>, lastCheck: ProviderCheck | null = null) => {
  const { config } = state;
  const keyMasked =
    state.keySource === 'admin'
      ? (adminMasked[config.name] ?? maskLast4(state.apiKey!.slice(-4)))
      : state.keySource === 'env' && state.apiKey
        ? maskLast4(state.apiKey.slice(-4))
        : null;
  return {
    name: config.name,
    description: config.description,
    descriptionEn: config.descriptionEn ?? null,
    baseUrl: config.baseUrl,
    protocol: config.protocol,
    enabled: config.enabled,
    needsKey: config.needsKey,
    keyEnv: config.apiKeyEnv ?? '',
    keySource: state.keySource,
    keyMasked,
    status: state.status,
    modelCount: catalog.models.filter((m) => m.providerState === state).length,
    source: config.source,
    vendor: config.vendor,
    timeoutMs: config.timeouts.total ?? null,
    /** The last connection check (console or periodic), or null before the first one. */
    lastCheck,
  };
};

export interface ConnectionTestResult {
  ok: boolean;
  latencyMs: number;
  models?: string[];
  error?: { message: string; code: string };
}

const TEST_TIMEOUTS = { connect: 3_000, firstByte: 5_000, idle: 5_000, total: 8_000 };

/**
 * GET <base_url>/models with the provider's key, through the gateway's own upstream
 * client. The answer carries latency and model ids or the error — never the key, which
 * is also scrubbed from anything the vendor echoes back.
 */
export const testProviderConnection = async (ctx: GatewayContext, state: ProviderState): Promise<ConnectionTestResult> => {
  const { config, apiKey } = state;
  if (config.needsKey && !apiKey) {
    return { ok: false, latencyMs: 0, error: { message: `No API key is set for ${config.name}.`, code: 'key_missing' } };
  }
  const adapter = adapterFor(config.vendor);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: unknown): ConnectionTestResult => {
    const mapped = error instanceof GatewayError ? error : mapUpstreamFailure(error, config.name, false);
    return { ok: false, latencyMs: elapsed(), error: { message: scrubSecret(mapped.message, apiKey), code: mapped.code } };
  };
  try {
    const response = await ctx.upstream.request(config.name, {
      // Gemini-protocol vendors list models at {host}/v1beta/models and take the key in x-goog-api-key.
      url: config.protocol === 'gemini' ? `${config.baseUrl.replace(/\/+$/, '').replace(/\/v1(beta)?$/, '')}/v1beta/models` : `${config.baseUrl}/models`,
      method: 'GET',
      headers: { accept: 'application/json', ...config.headers, ...(config.protocol === 'gemini' ? (apiKey ? { 'x-goog-api-key': apiKey } : {}) : adapter.authHeaders(apiKey)) },
      timeouts: { ...TEST_TIMEOUTS, connect: Math.min(TEST_TIMEOUTS.connect, config.timeouts.connect ?? Infinity) },
    });
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw response.mapError(error);
    } finally {
      response.done();
    }
    if (response.status < 200 || response.status >= 300) {
      return failure(upstreamHttpError(response.status, text, response.headers, adapter, config.name, apiKey));
    }
    const latencyMs = elapsed();
    let models: string[] = [];
    try {
      const json = JSON.parse(text) as { data?: Array<{ id?: unknown }>; models?: Array<{ name?: unknown }> };
      const list = Array.isArray(json.data) ? json.data.map((m) => m?.id) : Array.isArray(json.models) ? json.models.map((m) => m?.name) : [];
      models = list.filter((id): id is string => typeof id === 'string').slice(0, 1000);
    } catch {
      return { ok: false, latencyMs, error: { message: `${config.name} answered /models with something that is not JSON.`, code: 'upstream_malformed_response' } };
    }
    return { ok: true, latencyMs, models };
  } catch (error) {
    return failure(error);
  }
};
