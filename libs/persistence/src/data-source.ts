import { Client } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';

export interface DatabaseOptions {
  /** postgres://user@host:port/anything — the database name is replaced by the service's own. */
  url: string;
  database: string;
  migrations: Array<new () => MigrationInterface>;
  poolSize?: number;
  applicationName: string;
}

/** Replaces the database part of a URL: each service owns its database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * The advisory lock that serialises migrations within one database (advisory locks are scoped
 * to the database, so each service's database has its own). Any 64-bit constant would do; this
 * one spells "bhytmigr".
 */
export const MIGRATION_LOCK_KEY = '7523100912634114418';

/**
 * A TypeORM DataSource for one service's own database. Schema changes go through migrations,
 * run at start-up inside a transaction; `synchronize` is never used. Every replica runs them at
 * start-up, so they run under a session advisory lock: replicas starting together wait for the
 * first one, then find nothing left to do (TypeORM's migrations table is read under the lock).
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url: databaseUrl(options.url, options.database),
    applicationName: options.applicationName,
    migrations: options.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  });
  try {
    await ds.initialize();
  } catch (err) {
    // 3D000: the database does not exist yet. On the local stack and in tests we create it;
    // in production the operator (CloudNativePG) has created it and this path is not taken.
    if ((err as { code?: string }).code !== '3D000') throw err;
    await createDatabase(options.url, options.database);
    await ds.initialize();
  }
  await runMigrationsLocked(ds, databaseUrl(options.url, options.database));
  return ds;
}

async function runMigrationsLocked(ds: DataSource, url: string): Promise<void> {
  // A session lock on a connection of its own (not from the pool, which may hold one
  // connection): TypeORM commits each migration separately ('each'), and a transaction-scoped
  // lock would be released by the first commit. A replica that dies holding it drops its
  // session, and with it the lock.
  const lock = new Client({ connectionString: url, application_name: 'bhyt-migration-lock' });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    await lock.end().catch(() => undefined);
  }
}

async function createDatabase(url: string, database: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`refusing to create database with unsafe name`);
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } catch (err) {
    // Created concurrently by another replica: 42P04, or 23505 when both inserted into
    // pg_database at the same moment.
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw err;
  } finally {
    await admin.end();
  }
}

export async function databaseReachable(ds: DataSource): Promise<boolean> {
  try {
    await ds.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
