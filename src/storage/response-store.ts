import type { Kysely } from 'kysely';
import { GatewayError } from '../core/gateway-error.js';
import { boundText, MAX_NAME_LENGTH } from '../core/bounded-text.js';
import type { GatewayDatabase } from './database.js';
import { ResponseWriteQueue, type InsertRows, type ResponseWriterOptions, type ResponseWriterStats, type StoredResponseRow } from './response-store-writer.js';

/** The table this store owns (migration 0008), kept out of the shared schema type. */
interface Schema {
  stored_responses: StoredResponseRow;
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

export interface ResponseStoreOptions extends Omit<ResponseWriterOptions, 'onError'> {
  /** How long a response is kept (ms); OpenAI keeps them 30 days. */
  retentionMs: number;
  now?: () => number;
  /** Told when a write fails (it must not break the answer already sent). */
  onError?: (error: unknown) => void;
}

const COLUMNS = ['id', 'owner', 'model', 'previous_id', 'status', 'created_at', 'expires_at', 'input_items', 'response'] as const;

/**
 * How a batch reaches the database. SQLite: one transaction of a cached prepared
 * statement on the raw handle (the query builder's per-row cost and a commit per
 * response were the Responses path's extra system calls). PostgreSQL: one multi-row
 * INSERT, atomic by itself.
 */
const batchInsert = (db: Kysely<Schema>, sqlite: GatewayDatabase['sqlite']): InsertRows => {
  const viaKysely = async (rows: StoredResponseRow[]) => {
    await db.insertInto('stored_responses').values(rows).execute();
  };
  if (!sqlite) return viaKysely;
  // Positional parameters in COLUMNS' order (binding by name costs more, as measured for usage rows).
  const statement = sqlite.prepare(`INSERT INTO stored_responses (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const insertAll = sqlite.transaction((rows: StoredResponseRow[]) => {
    for (const r of rows) statement.run(r.id, r.owner, r.model, r.previous_id, r.status, r.created_at, r.expires_at, r.input_items, r.response);
  });
  // A Kysely transaction open on the same handle (an admin change between two awaits)
  // would swallow ours as a savepoint and could roll it back: wait for it via Kysely.
  return (rows) => (sqlite.inTransaction ? viaKysely(rows) : insertAll(rows));
};

/** The longest chain `previous_response_id` follows (a guard against cycles and runaway history). */
const MAX_TURNS = 500;
const DELETE_BATCH = 500;

/** A missing response, or another key's: both are the same 404. */
export const responseNotFound = (id: string): GatewayError =>
  new GatewayError(`No response found with id '${boundText(id, 80)}'.`, { status: 404, code: 'response_not_found', param: 'response_id' });

/**
 * Stored responses. Saves are queued and written in batches, one transaction per short
 * window (`ResponseWriteQueue`); until a row is in the database, reads of its id are
 * answered from the queue, with the same owner and expiry checks, so a client that
 * continues right after `response.completed` always finds its previous turn.
 */
export class ResponseStore {
  private readonly db: Kysely<Schema>;
  private readonly writer: ResponseWriteQueue;
  private readonly now: () => number;

  constructor(database: Pick<GatewayDatabase, 'db' | 'sqlite'>, private readonly options: ResponseStoreOptions) {
    this.db = database.db as unknown as Kysely<Schema>;
    this.now = options.now ?? Date.now;
    this.writer = new ResponseWriteQueue(batchInsert(this.db, database.sqlite), options);
  }

  /** Queues the write; never throws (a failed write is reported, the client already has its answer). */
  save(entry: SaveResponse): void {
    const time = this.now();
    this.writer.add({
      id: entry.id,
      owner: entry.owner,
      model: boundText(entry.model, MAX_NAME_LENGTH),
      previous_id: entry.previousId,
      status: String(entry.response.status ?? 'completed'),
      created_at: time,
      expires_at: time + this.options.retentionMs,
      input_items: JSON.stringify(entry.input),
      response: JSON.stringify(entry.response),
    });
  }

  /** Writes everything queued so far; rejects (rows kept for a retry) if the database is unavailable. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Stops the flush timer and writes what is queued (before the database closes); rejects if rows are left. */
  close(): Promise<void> {
    return this.writer.close();
  }

  stats(): ResponseWriterStats {
    return this.writer.stats();
  }

  private async row(id: string, owner: string): Promise<StoredResponseRow | null> {
    const queued = this.writer.find(id);
    if (queued && queued.owner === owner && queued.expires_at > this.now()) return queued;
    // Another key's (or an expired) queued row hides nothing: the database answers, as before.
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
    // A row being written is deleted from the database once it is there; a queued one never gets there.
    await this.writer.settled(id);
    if (this.writer.removeQueued(id, owner)) return;
    const result = await this.db.deleteFrom('stored_responses').where('id', '=', id).where('owner', '=', owner).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw responseNotFound(id);
  }

  /**
   * The whole conversation up to and including response `id`, oldest first: each
   * turn's input items, then its output items — what a stateless vendor must be sent.
   */
  async conversation(id: string, owner: string): Promise<Json[]> {
    const turns: StoredResponseRow[] = [];
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
