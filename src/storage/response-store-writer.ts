import { classifyWriteFailure, failureReason } from './usage-write-errors.js';

/** One row of `stored_responses` (migration 0008), as written and as read back. */
export interface StoredResponseRow {
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

/** Writes all rows atomically (one transaction or one statement), or throws. */
export type InsertRows = (rows: StoredResponseRow[]) => Promise<void> | void;

export interface ResponseWriterOptions {
  /** How long the first save waits for others to join its batch; 0 is the next turn of the event loop. */
  flushWindowMs?: number;
  /** Rows (and bytes) per transaction; reaching either starts a flush at once. */
  maxBatchRows?: number;
  maxBatchBytes?: number;
  /**
   * What stays queued while the database fails; beyond it the oldest rows are dropped
   * and reported. Only an outage gets here: a working database is flushed long before.
   */
  maxQueuedRows?: number;
  maxQueuedBytes?: number;
  /** Retries after a failed write wait this long, doubling up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Attempts `close()` makes before giving up on a failing database. */
  closeAttempts?: number;
  onError?: (error: unknown) => void;
}

export interface ResponseWriterStats {
  /** Rows not yet in the database (queued or being written). */
  queued: number;
  written: number;
  /** Rows the database refused (reported one by one). */
  refused: number;
  /** Rows dropped because the queue was full during an outage. */
  dropped: number;
  /** Batches that failed as a whole (the rows stayed queued). */
  failures: number;
  lastError: string | null;
}

interface Entry {
  row: StoredResponseRow;
  bytes: number;
  writing: boolean;
}

/** Unclear failures in a row with no success in between: the database, not the rows (as the usage writer). */
const UNKNOWN_FAILURES_BEFORE_OUTAGE = 6;
/** Columns and per-row overhead, so a flood of tiny responses is bounded too. */
const ROW_OVERHEAD_BYTES = 256;

class DatabaseUnavailable extends Error {}

const noop = () => undefined;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The queue between `ResponseStore.save` and the database: rows wait here (and are read
 * from here) until a batch writes them in one transaction. A batch the database refuses
 * because of some of its rows is halved until those are alone: the others are written,
 * the refused ones reported. An outage keeps every row queued, retried with backoff.
 */
export class ResponseWriteQueue {
  /** Insertion order is queue order; a row stays here until it is committed or refused. */
  private readonly entries = new Map<string, Entry>();
  private waitingRows = 0;
  private waitingBytes = 0;
  private totalBytes = 0;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private failing = false;
  private backoffMs = 0;
  private retryAt = 0;
  private closed = false;
  private readonly counts = { written: 0, refused: 0, dropped: 0, failures: 0, lastError: null as string | null };
  private readonly windowMs: number;
  private readonly maxBatchRows: number;
  private readonly maxBatchBytes: number;
  private readonly maxQueuedRows: number;
  private readonly maxQueuedBytes: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly closeAttempts: number;

  constructor(
    private readonly insert: InsertRows,
    private readonly options: ResponseWriterOptions = {},
  ) {
    this.windowMs = Math.max(0, options.flushWindowMs ?? 100);
    this.maxBatchRows = Math.max(1, options.maxBatchRows ?? 200);
    this.maxBatchBytes = Math.max(1, options.maxBatchBytes ?? 4 * 1024 * 1024);
    this.maxQueuedRows = Math.max(this.maxBatchRows, options.maxQueuedRows ?? 10_000);
    this.maxQueuedBytes = Math.max(this.maxBatchBytes, options.maxQueuedBytes ?? 64 * 1024 * 1024);
    this.initialBackoffMs = Math.max(1, options.initialBackoffMs ?? 250);
    this.maxBackoffMs = Math.max(this.initialBackoffMs, options.maxBackoffMs ?? 30_000);
    this.closeAttempts = Math.max(1, options.closeAttempts ?? 5);
  }

  /** Queues a row; synchronous, never throws (problems go to onError). */
  add(row: StoredResponseRow): void {
    if (this.closed) {
      this.options.onError?.(new Error(`Stored response ${row.id} arrived after the store was closed; it was not kept.`));
      return;
    }
    // The database would refuse the second insert of an id: the first one wins, as there.
    if (this.entries.has(row.id)) {
      this.counts.refused += 1;
      this.options.onError?.(new Error(`Stored response ${row.id} is already queued; the second copy was not kept.`));
      return;
    }
    const bytes = ROW_OVERHEAD_BYTES + row.id.length + row.owner.length + row.model.length + row.input_items.length + row.response.length;
    this.entries.set(row.id, { row, bytes, writing: false });
    this.waitingRows += 1;
    this.waitingBytes += bytes;
    this.totalBytes += bytes;
    this.trim();
    const full = this.waitingRows >= this.maxBatchRows || this.waitingBytes >= this.maxBatchBytes;
    // While failing, the backoff timer decides (no write attempt per save against a dead database).
    this.arm(full && !this.failing ? 0 : this.windowMs);
  }

  /** The row of `id` while it is not yet in the database (queued or being written). */
  find(id: string): StoredResponseRow | undefined {
    return this.entries.get(id)?.row;
  }

  /** Resolves once `id` is not being written any more (committed, refused or queued again). */
  async settled(id: string): Promise<void> {
    while (this.entries.get(id)?.writing && this.inFlight) await this.inFlight.catch(noop);
  }

  /** Takes `id` out of the queue if it waits there for `owner`; false when it is not queued (or not theirs). */
  removeQueued(id: string, owner: string): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.writing || entry.row.owner !== owner) return false;
    this.forget(entry);
    return true;
  }

  /** Writes everything queued so far; rejects (rows kept) when the database is unavailable. */
  async flush(): Promise<void> {
    if (this.inFlight) await this.inFlight.catch(noop);
    if (this.waitingRows === 0) return;
    this.inFlight ??= this.drain().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Stops the timer and writes everything, retrying a failing database a few times; rejects if rows are left. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarm();
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.flush();
        if (this.entries.size === 0) return;
      } catch (error) {
        if (attempt >= this.closeAttempts) {
          throw new Error(`${this.entries.size} stored responses could not be written before closing: ${this.counts.lastError}`, { cause: error });
        }
        await delay(Math.min(100 * 2 ** attempt, 2000));
      }
    }
  }

  stats(): ResponseWriterStats {
    return { queued: this.entries.size, ...this.counts };
  }

  private forget(entry: Entry): void {
    if (this.entries.get(entry.row.id) !== entry) return;
    this.entries.delete(entry.row.id);
    this.totalBytes -= entry.bytes;
    if (!entry.writing) {
      this.waitingRows -= 1;
      this.waitingBytes -= entry.bytes;
    }
  }

  /** Runs a flush in `ms` unless one is due sooner (one timer, unref'd: it never keeps the process up). */
  private arm(ms: number): void {
    if (this.closed) return;
    const due = Date.now() + ms;
    if (this.timer && this.timerDue <= due) return;
    this.disarm();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.failing && Date.now() < this.retryAt) {
        this.arm(this.retryAt - Date.now());
        return;
      }
      this.flush().catch(noop);
    }, ms);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** An outage's queue is bounded: the oldest waiting rows go first, and are reported. */
  private trim(): void {
    let dropped = 0;
    for (const entry of this.entries.values()) {
      if (this.entries.size <= this.maxQueuedRows && this.totalBytes <= this.maxQueuedBytes) break;
      if (entry.writing) continue;
      this.forget(entry);
      dropped += 1;
    }
    if (dropped === 0) return;
    this.counts.dropped += dropped;
    this.options.onError?.(new Error(`${dropped} stored responses were dropped: the write queue is full while the database is failing (${this.counts.lastError ?? 'no error yet'}).`));
  }

  /** The next batch, oldest first: at least one row, then up to the row and byte limits. */
  private take(): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    for (const entry of this.entries.values()) {
      if (entry.writing) continue;
      if (batch.length > 0 && (batch.length >= this.maxBatchRows || bytes + entry.bytes > this.maxBatchBytes)) break;
      entry.writing = true;
      this.waitingRows -= 1;
      this.waitingBytes -= entry.bytes;
      bytes += entry.bytes;
      batch.push(entry);
    }
    return batch;
  }

  private async drain(): Promise<void> {
    while (this.waitingRows > 0) {
      const batch = this.take();
      const written: Entry[] = [];
      try {
        await this.writeIsolating(batch, written);
      } catch (error) {
        // Committed parts are done; the rest waits again, ahead of newer rows (map order).
        for (const entry of written) this.done(entry);
        for (const entry of batch) {
          if (entry.writing && this.entries.get(entry.row.id) === entry) {
            entry.writing = false;
            this.waitingRows += 1;
            this.waitingBytes += entry.bytes;
          }
        }
        const cause = error instanceof DatabaseUnavailable && error.cause ? error.cause : error;
        this.failing = true;
        this.counts.failures += 1;
        this.counts.lastError = failureReason(cause);
        this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs === 0 ? this.initialBackoffMs : this.backoffMs * 2);
        this.retryAt = Date.now() + this.backoffMs;
        this.trim();
        this.arm(this.backoffMs);
        this.options.onError?.(cause);
        throw cause;
      }
      for (const entry of written) this.done(entry);
      this.failing = false;
      this.backoffMs = 0;
      this.retryAt = 0;
    }
  }

  private done(entry: Entry): void {
    this.counts.written += 1;
    this.forget(entry);
    entry.writing = false;
  }

  private refuse(entry: Entry, failure: unknown): void {
    this.counts.refused += 1;
    this.forget(entry);
    entry.writing = false;
    this.options.onError?.(new Error(`Stored response ${entry.row.id} was refused by the database: ${failureReason(failure)}`, { cause: failure }));
  }

  /**
   * Writes the batch; a failure caused by its rows halves it until the refused rows are
   * alone. Throws DatabaseUnavailable on an outage (`written` holds what did commit).
   */
  private async writeIsolating(batch: Entry[], written: Entry[]): Promise<void> {
    let unknownStreak = 0;
    const suspects: Array<{ entry: Entry; failure: unknown }> = [];
    const write = async (part: Entry[]): Promise<void> => {
      let failure: unknown;
      try {
        await this.insert(part.map((entry) => entry.row));
        written.push(...part);
        unknownStreak = 0;
        return;
      } catch (error) {
        failure = error;
      }
      const kind = classifyWriteFailure(failure);
      if (kind === 'outage' || (kind === 'unknown' && (unknownStreak += 1) >= UNKNOWN_FAILURES_BEFORE_OUTAGE)) {
        throw new DatabaseUnavailable(failureReason(failure), { cause: failure });
      }
      if (part.length === 1) {
        if (kind === 'row') this.refuse(part[0]!, failure);
        else suspects.push({ entry: part[0]!, failure });
        return;
      }
      const middle = part.length >> 1;
      await write(part.slice(0, middle));
      await write(part.slice(middle));
    };
    await write(batch);
    // A row failing for an unclear reason is its own fault only if others went in.
    if (suspects.length > 0 && written.length === 0) throw new DatabaseUnavailable(failureReason(suspects[0]!.failure), { cause: suspects[0]!.failure });
    for (const { entry, failure } of suspects) this.refuse(entry, failure);
  }
}
