/**
 * Which database errors are temporary (retry the same work after a pause: nothing is wrong with the mail) and which
 * are permanent (this mail cannot be stored as it is: quarantine it). One function decides, for every database
 * Strapi supports, from the errors the drivers really throw:
 *
 * - PostgreSQL (`pg`): a `DatabaseError` whose `code` is the SQLSTATE. 40001 serialization failure, 40P01 deadlock,
 *   55P03 lock not available (lock_timeout), 57014 statement cancelled (statement_timeout), 57P01–57P03 the server
 *   shutting down or starting, 53300 too many connections, and class 08 (connection exceptions).
 * - MySQL / MariaDB (`mysql2`): `errno` 1205 ER_LOCK_WAIT_TIMEOUT (row locks and, with lock_wait_timeout, table
 *   locks), 1213 ER_LOCK_DEADLOCK, 1040 too many connections, 1053 the server shutting down, 1927 the connection
 *   killed, 3024 (MySQL) and 1969 (MariaDB) statement timeouts (max_execution_time / max_statement_time); `code`
 *   PROTOCOL_CONNECTION_LOST when the server went away.
 * - SQLite (`better-sqlite3`): a `SqliteError` with `code` SQLITE_BUSY / SQLITE_LOCKED and their extended codes
 *   (SQLITE_BUSY_SNAPSHOT…), message "database is locked".
 * - Any of them: the connection dropped (ECONNRESET, EPIPE, "Connection terminated") or knex could not get a
 *   connection from its pool in time (KnexTimeoutError).
 *
 * Knex prefixes the SQL to the driver's message and keeps its code; Strapi rethrows driver errors as they are; some
 * callers wrap them in `cause`. So the whole cause chain is looked at.
 */

const TEMPORARY_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03', '53300']);
const TEMPORARY_MYSQL_ERRNOS = new Set([1205, 1213, 1040, 1053, 1927, 1969, 3024]);
const TEMPORARY_CODES = new Set([
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);
const TEMPORARY_MESSAGES =
  /database (?:table )?is locked|database is busy|connection terminated|timeout acquiring a connection|server closed the connection unexpectedly/i;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  severity?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first (bounded: a cause cycle must not hang the importer). */
function causeChain(error: unknown): ErrorShape[] {
  const chain: ErrorShape[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 8) {
    chain.push(current as ErrorShape);
    current = (current as ErrorShape).cause;
  }
  return chain;
}

function isTemporaryShape(e: ErrorShape): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  if (TEMPORARY_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
  if (TEMPORARY_CODES.has(code)) return true;
  if (typeof e.errno === 'number' && TEMPORARY_MYSQL_ERRNOS.has(e.errno) && e.sqlState !== undefined)
    return true;
  if (e.name === 'KnexTimeoutError') return true;
  return typeof e.message === 'string' && TEMPORARY_MESSAGES.test(e.message.slice(0, 2000));
}

/** True when retrying the same work later can succeed: a lock, a deadlock, a busy or lost connection. */
export function isTemporaryDatabaseError(error: unknown): boolean {
  return causeChain(error).some(isTemporaryShape);
}

function isDriverShape(e: ErrorShape): boolean {
  if (e instanceof DatabaseFailure) return true;
  if (e.name === 'SqliteError' || e.name === 'KnexTimeoutError') return true;
  // pg sets the server's severity and a five-character SQLSTATE; mysql2 sets sqlState.
  if (typeof e.severity === 'string' && typeof e.code === 'string' && e.code.length === 5) return true;
  if (typeof e.sqlState === 'string') return true;
  // Strapi's own database errors (NotNullError, InvalidDateError…) all extend its DatabaseError.
  return /^(?:DatabaseError|NotNullError|Invalid(?:Date|Time|DateTime|Relation)Error)$/.test(String(e.name));
}

/** True when the error came from the database (driver, pool or Strapi's query layer), not from IMAP or the mail. */
export function isDatabaseError(error: unknown): boolean {
  return causeChain(error).some((e) => isDriverShape(e) || isTemporaryShape(e));
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Knex puts the whole statement (values included) in front of the driver's message: the reason is what follows
  // the last " - ".
  const sql = /^(?:select|insert|update|delete|with|create|alter|drop|begin|commit|savepoint|release)\b/i;
  const reason = sql.test(text) && text.includes(' - ') ? text.slice(text.lastIndexOf(' - ') + 3) : text;
  return reason.length > 500 ? `${reason.slice(0, 500)}…` : reason;
}

/**
 * A store call failed in the database. The importer wraps such errors so the run's status says "database error"
 * (with whether it is temporary) instead of blaming the IMAP server.
 */
export class DatabaseFailure extends Error {
  readonly temporary: boolean;
  constructor(cause: unknown) {
    const temporary = isTemporaryDatabaseError(cause);
    super(
      temporary
        ? `database error (temporary, to be tried again): ${messageOf(cause)}`
        : `database error: ${messageOf(cause)}`,
      { cause }
    );
    this.name = 'DatabaseFailure';
    this.temporary = temporary;
  }
}

/** `error` as a DatabaseFailure when it came from the database; unchanged otherwise. */
export function asDatabaseFailure(error: unknown): unknown {
  if (error instanceof DatabaseFailure || !isDatabaseError(error)) return error;
  return new DatabaseFailure(error);
}

/**
 * `store` with every method's database errors turned into DatabaseFailure, so whoever reports a failed run can tell
 * them from IMAP errors (a connection reset means the database here, whatever it would mean elsewhere).
 */
export function labelDatabaseErrors<T extends object>(store: T): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!wrapped.has(property)) {
        const method = value as (...args: unknown[]) => unknown;
        wrapped.set(property, (...args: unknown[]) => {
          const relabel = (error: unknown): never => {
            throw asDatabaseFailure(error);
          };
          try {
            const result = method.apply(target, args);
            return result instanceof Promise ? result.catch(relabel) : result;
          } catch (error) {
            return relabel(error);
          }
        });
      }
      return wrapped.get(property);
    },
  });
}
