import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Test } from 'tap';
import { openDatabase, type SqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.ts';

/** A fresh, migrated database file (WAL, as local mode opens it) in its own temp folder, removed after the test. */
export function openTestDatabase(t: Test): SqliteDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'omnigen-sqlite-'));
  const db = openDatabase(Database, join(dir, 'omnigen.db'));
  t.teardown(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}
