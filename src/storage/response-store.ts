import type { Kysely } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import { boundText, MAX_NAME_LENGTH } from '../core/bounded-text.js';
import type { DatabaseSchema } from './schema.js';

/** The table this store owns (migration 0008), kept out of the shared schema type. */
interface StoredResponsesTable {
  id: string;
  owner: string;
  model: string;
  previous_id: string | null;
  status: string;
  created_at: number;
  expires_at: number;
  input_items: string;
  response: string;
}

interface Schema {
  stored_responses: StoredResponsesTable;
}

type Json = Record<string, unknown>;

export interface SaveResponse {
  id: string;
  owner: string;
  model: string;
  previousId: string | null;
  /** This turn's own input items (not the rebuilt history). */
  input: Json[];
  response: Json;
}

export interface ResponseStoreOptions {
  /** How long a response is kept (ms); OpenAI keeps them 30 days. */
  retentionMs: number;
  now?: () => number;
  /** Told when a write fails (it must not break the answer already sent). */
  onError?: (error: unknown) => void;
}

/** The longest chain `previous_response_id` follows (a guard against cycles and runaway history). */
const MAX_TURNS = 500;
const DELETE_BATCH = 500;

/** A missing response, or another key's: both are the same 404. */
export const responseNotFound = (id: string): GatewayError =>
  new GatewayError(`No response found with id '${boundText(id, 80)}'.`, { status: 404, code: 'response_not_found', param: 'response_id' });

/**
 * Stored responses. Writes happen when the answer is complete and are awaited by a
 * read of the same id, so a client that continues right after `response.completed`
 * always finds its previous turn.
 */
export class ResponseStore {
  private readonly db: Kysely<Schema>;
  private readonly pending = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(db: Kysely<DatabaseSchema>, private readonly options: ResponseStoreOptions) {
    this.db = db as unknown as Kysely<Schema>;
    this.now = options.now ?? Date.now;
  }

  /** Starts the write; never throws (a failed write is reported, the client already has its answer). */
  save(entry: SaveResponse): void {
    const time = this.now();
    const write = this.db
      .insertInto('stored_responses')
      .values({
        id: entry.id,
        owner: entry.owner,
        model: boundText(entry.model, MAX_NAME_LENGTH),
        previous_id: entry.previousId,
        status: String(entry.response.status ?? 'completed'),
        created_at: time,
        expires_at: time + this.options.retentionMs,
        input_items: JSON.stringify(entry.input),
        response: JSON.stringify(entry.response),
      })
      .execute()
      .then(
        () => undefined,
        (error: unknown) => this.options.onError?.(error),
      )
      .finally(() => this.pending.delete(entry.id));
    this.pending.set(entry.id, write);
  }

  /** Resolves once every write started so far has finished. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()]);
  }

  private async row(id: string, owner: string): Promise<StoredResponsesTable | null> {
    await this.pending.get(id);
    const row = await this.db.selectFrom('stored_responses').selectAll().where('id', '=', id).where('owner', '=', owner).where('expires_at', '>', this.now()).executeTakeFirst();
    return row ?? null;
  }

  async get(id: string, owner: string): Promise<Json> {
    const row = await this.row(id, owner);
    if (!row) throw responseNotFound(id);
    return JSON.parse(row.response) as Json;
  }

  async inputItems(id: string, owner: string): Promise<Json[]> {
    const row = await this.row(id, owner);
    if (!row) throw responseNotFound(id);
    return JSON.parse(row.input_items) as Json[];
  }

  async delete(id: string, owner: string): Promise<void> {
    await this.pending.get(id);
    const result = await this.db.deleteFrom('stored_responses').where('id', '=', id).where('owner', '=', owner).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw responseNotFound(id);
  }

  /**
   * The whole conversation up to and including response `id`, oldest first: each
   * turn's input items, then its output items — what a stateless vendor must be sent.
   */
  async conversation(id: string, owner: string): Promise<Json[]> {
    const turns: StoredResponsesTable[] = [];
    let next: string | null = id;
    while (next !== null && turns.length < MAX_TURNS) {
      const row = await this.row(next, owner);
      if (!row) {
        if (turns.length === 0) throw responseNotFound(id);
        break; // an older turn expired: continue from what is left
      }
      turns.push(row);
      next = row.previous_id;
    }
    const items: Json[] = [];
    for (const turn of turns.reverse()) {
      items.push(...(JSON.parse(turn.input_items) as Json[]));
      const response = JSON.parse(turn.response) as { output?: Json[] };
      items.push(...(response.output ?? []));
    }
    return items;
  }

  /** Deletes expired responses in small batches; returns how many went. */
  async deleteExpired(maxBatches = 100): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const ids = await this.db.selectFrom('stored_responses').select('id').where('expires_at', '<=', this.now()).limit(DELETE_BATCH).execute();
      if (ids.length === 0) break;
      await this.db.deleteFrom('stored_responses').where('id', 'in', ids.map((row) => row.id)).execute();
      total += ids.length;
      if (ids.length < DELETE_BATCH) break;
    }
    return total;
  }

  /** Runs the retention job every `intervalMs` (unref'd); returns the stop function. */
  startRetention(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.deleteExpired().catch((error: unknown) => this.options.onError?.(error));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
