// Opens local mode's SQLite file: loads the native driver (only here, only when LOCAL_STORE=sqlite),
// refuses a file it must not touch, sets the pragmas and brings the schema up to date.
import type BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS } from './sqlite-migrations.js';

export type SqliteDatabase = BetterSqlite3.Database;
type Driver = typeof BetterSqlite3;

/** A start that cannot go on; the message is one line an operator can act on (main prints it, exit 1). */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

/** better-sqlite3 is an optional, native dependency: the aws image and `npm ci --omit=optional` go without it. */
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

/**
 * better-sqlite3 12 on Node 24 aborts the process when the garbage collector frees one of its Database or
 * Statement objects (node::ObjectWrap's destructor asserts a current Environment; only 13, which Node 20
 * cannot run, is rebuilt on Node-API). So none is ever freed: every database and statement this process
 * makes is kept here for its whole life — a store prepares a fixed dozen, once — and pragmas go through
 * kept statements rather than `db.pragma()`, whose statements are thrown away.
 */
const keptForLife: unknown[] = [];

function keepForLife(db: SqliteDatabase): SqliteDatabase {
  keptForLife.push(db);
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    keptForLife.push(statement);
    return statement;
  }) as SqliteDatabase['prepare'];
  return db;
}

/** Opens (or creates) the database at `file`, migrated to the newest schema this version knows. */
export function openDatabase(Driver: Driver, file: string, options: OpenOptions = {}): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    db = keepForLife(new Driver(file, { timeout: options.busyTimeoutMs ?? 5000 }));
    // Read before anything writes: a file from a newer version must stay exactly as it is.
    refuseNewer(db, file, schemaVersion(db));
    // WAL: readers never wait for the writer; NORMAL sync is durable against a killed process
    // (only a power loss can drop the last commits), which is what a local server needs.
    db.prepare('PRAGMA journal_mode = WAL').get();
    db.prepare('PRAGMA synchronous = NORMAL').run();
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
  return Number(db.prepare('PRAGMA user_version').pluck().get());
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
    if (version < MIGRATIONS.length) db.prepare(`PRAGMA user_version = ${MIGRATIONS.length}`).run();
  }).immediate();
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? `${'code' in err && typeof err.code === 'string' ? `${err.code}: ` : ''}${err.message}` : String(err);
  return text.replace(/\s+/g, ' ').trim();
}
