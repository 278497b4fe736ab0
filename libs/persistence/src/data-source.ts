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
 * A TypeORM DataSource for one service's own database. Schema changes go through migrations,
 * run at start-up inside a transaction; `synchronize` is never used.
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
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

async function createDatabase(url: string, database: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`refusing to create database with unsafe name`);
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently
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
