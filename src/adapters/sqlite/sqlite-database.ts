// Opens local mode's SQLite file: loads the native driver (only here, only when LOCAL_STORE=sqlite),
// refuses a file it must not touch, sets the pragmas and brings the schema up to date.
import type BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS } from './sqlite-migrations.ts';

export type SqliteDatabase = BetterSqlite3.Database;
type Driver = typeof BetterSqlite3;

/** A start that cannot go on; the message is one line an operator can act on (main prints it, exit 1). */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

/** better-sqlite3 ships prebuilt Node-API binaries; a copy without it (or a broken one) gets a one-line fix. */
export async function loadDriver(load: () => Promise<{ default: Driver }> = () => import('better-sqlite3')): Promise<Driver> {
  try {
    return (await load()).default;
  } catch (err) {
    throw new StoreOpenError(
      `LOCAL_STORE=sqlite needs the better-sqlite3 package, which could not be loaded (${oneLine(err)}); install it (npm ci) or set LOCAL_STORE=memory, which works without it`,
    );
  }
}

export interface OpenOptions {
  /** How long a write waits for another process's lock before failing (two servers on one data dir). */
  busyTimeoutMs?: number;
}

/** Opens (or creates) the database at `file`, migrated to the newest schema this version knows. */
export function openDatabase(Driver: Driver, file: string, options: OpenOptions = {}): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    db = new Driver(file, { timeout: options.busyTimeoutMs ?? 5000 });
    // Read before anything writes: a file from a newer version must stay exactly as it is.
    refuseNewer(db, file, schemaVersion(db));
    // WAL: readers never wait for the writer; NORMAL sync is durable against a killed process
    // (only a power loss can drop the last commits), which is what a local server needs.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, file);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(`${file} is not a usable SQLite database (${oneLine(err)}); move it away to start afresh, or set LOCAL_DATA_DIR to another folder`);
  }
}

/** The schema version a database is at (0 for a new file). */
export function schemaVersion(db: SqliteDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function refuseNewer(db: SqliteDatabase, file: string, version: number): void {
  if (version <= MIGRATIONS.length) return;
  db.close();
  throw new StoreOpenError(
    `${file} has schema version ${version}, newer than this service knows (${MIGRATIONS.length}): it was written by a newer version; left untouched — run that version, or set LOCAL_DATA_DIR to another folder`,
  );
}

/** Runs the missing migrations in order, in one write transaction (IMMEDIATE: two starting servers cannot both migrate). */
function migrate(db: SqliteDatabase, file: string): void {
  db.transaction(() => {
    const version = schemaVersion(db);
    refuseNewer(db, file, version);
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? `${'code' in err && typeof err.code === 'string' ? `${err.code}: ` : ''}${err.message}` : String(err);
  return text.replace(/\s+/g, ' ').trim();
}
