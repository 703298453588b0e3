/**
 * Why a usage insert failed: the database is unavailable (keep the rows, retry later),
 * or one row is unacceptable (write the others, set that one aside). Told apart by
 * PostgreSQL SQLSTATE classes, SQLite result codes and Node's socket error codes.
 */
export type WriteFailure = 'outage' | 'row' | 'unknown';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

// 08 connection, 40 rollback (deadlock, serialization), 53 resources, 57 operator
// intervention (shutdown), 58 system, XX internal, 25 transaction state.
const PG_OUTAGE_CLASSES = new Set(['08', '25', '40', '53', '57', '58', 'XX']);
// 22 data exception (NUL byte, value too long, out of range), 23 constraint, 54 limits
// (index row size), 42 a value the statement cannot take.
const PG_ROW_CLASSES = new Set(['22', '23', '54']);

const SQLITE_OUTAGE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT)/;
const SQLITE_ROW = /^SQLITE_(TOOBIG|CONSTRAINT|MISMATCH|RANGE)/;
const MESSAGE_OUTAGE = /connection (terminated|refused|error|is not open|lost)|timeout exceeded|not open|ECONNREFUSED|Connection terminated/i;

export const classifyWriteFailure = (error: unknown): WriteFailure => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return 'outage';
    if (code === 'invalid_usage_record') return 'row';
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const cls = code.slice(0, 2);
      if (PG_OUTAGE_CLASSES.has(cls)) return 'outage';
      if (PG_ROW_CLASSES.has(cls)) return 'row';
    }
    if (SQLITE_OUTAGE.test(code)) return 'outage';
    if (SQLITE_ROW.test(code)) return 'row';
  }
  const message = error instanceof Error ? error.message : String(error);
  if (MESSAGE_OUTAGE.test(message)) return 'outage';
  return 'unknown';
};

/** The reason kept with a refused row: code and message, never the row's values. */
export const failureReason = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 500);
};
