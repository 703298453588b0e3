import type { SelectQueryBuilder } from 'kysely';
import { badRequest } from '../server/errors.js';
import type { DatabaseSchema } from './schema.js';

/** Request filters shared by logs and aggregates; `from` is inclusive, `to` exclusive (epoch ms). */
export interface UsageFilter {
  from?: number;
  to?: number;
  model?: string;
  provider?: string;
  keyId?: string;
  /** Requests made with the team's member keys (current membership). */
  teamId?: string;
  /** An HTTP status, or the class: `success` (< 400) / `error` (≥ 400). */
  status?: number | 'success' | 'error';
  /** The client protocol (openai-chat, openai-responses…). */
  protocol?: string;
}

export const applyUsageFilter = <O>(
  query: SelectQueryBuilder<DatabaseSchema, 'usage_records', O>,
  filter: UsageFilter,
): SelectQueryBuilder<DatabaseSchema, 'usage_records', O> => {
  let q = query;
  if (filter.from !== undefined) q = q.where('usage_records.time', '>=', Math.floor(filter.from));
  if (filter.to !== undefined) q = q.where('usage_records.time', '<', Math.ceil(filter.to));
  if (filter.model) q = q.where('usage_records.model', '=', filter.model);
  if (filter.provider) q = q.where('usage_records.provider', '=', filter.provider);
  if (filter.keyId) q = q.where('usage_records.key_id', '=', filter.keyId);
  if (filter.protocol) q = q.where('usage_records.protocol', '=', filter.protocol);
  if (filter.teamId) {
    const teamId = filter.teamId;
    q = q.where('usage_records.key_id', 'in', (eb) => eb.selectFrom('api_keys').select('api_keys.id').where('api_keys.team_id', '=', teamId));
  }
  if (filter.status === 'success') q = q.where('usage_records.status', '<', 400);
  else if (filter.status === 'error') q = q.where('usage_records.status', '>=', 400);
  else if (filter.status !== undefined) {
    if (!Number.isInteger(filter.status)) throw badRequest('status must be an HTTP status, "success" or "error".', 'invalid_request', 'status');
    q = q.where('usage_records.status', '=', filter.status);
  }
  return q;
};
