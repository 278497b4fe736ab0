import { Client } from 'pg';
import type { DataSource, MigrationInterface } from 'typeorm';
import { databaseUrl, openDatabase } from './data-source';

/**
 * `@bhyt/persistence/testing`: scratch databases for integration tests, on the local stack's
 * PostgreSQL (DATABASE_URL). Names follow the e2e harness's lane rule: `E2E_LANE=N` (1–9) gives a
 * run databases of its own, so that two checkouts can run the same suites against one server.
 */

/** The integer lane of this run (0 when E2E_LANE is unset): the one reading of E2E_LANE the tests share. */
export function laneOf(): number {
  const lane = Number(process.env['E2E_LANE'] ?? 0);
  if (!Number.isInteger(lane) || lane < 0 || lane > 9)
    throw new Error('E2E_LANE must be an integer from 0 to 9');
  return lane;
}

/** `bhyt_<name>`, or `bhyt_<name>_l<N>` in lane N. */
export function laneDatabaseName(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name))
    throw new Error(`a scratch database name is lower-case letters, digits and _: ${name}`);
  const lane = laneOf();
  return lane ? `bhyt_${name}_l${lane}` : `bhyt_${name}`;
}

function serverUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url)
    throw new Error(
      'integration tests need the local stack: run them through `npm test` (it exports DATABASE_URL)',
    );
  return url;
}

async function dropDatabase(url: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface ScratchDatabase {
  /** The database's name in this run's lane. */
  readonly database: string;
  /** The server's URL (DATABASE_URL): `openDatabase` and the outbox relay take it with `database`. */
  readonly url: string;
  /** Drops the database, closing the connections still open to it. */
  drop(): Promise<void>;
}

/**
 * A database name that does not exist yet (what an earlier run left behind is dropped first),
 * for a test of how databases get created; `freshDatabase` is the usual way in.
 */
export async function scratchDatabase(name: string): Promise<ScratchDatabase> {
  const url = serverUrl();
  const database = laneDatabaseName(name);
  await dropDatabase(url, database);
  return { database, url, drop: () => dropDatabase(url, database) };
}

export interface FreshDatabase extends ScratchDatabase {
  /** Open on the new database, its migrations run. */
  readonly ds: DataSource;
  /** Closes `ds`, then drops the database. */
  drop(): Promise<void>;
}

/** A new, empty database of this lane with `migrations` run, as a service would open its own. */
export async function freshDatabase(
  name: string,
  migrations: Array<new () => MigrationInterface>,
  options: { poolSize?: number; applicationName?: string } = {},
): Promise<FreshDatabase> {
  const scratch = await scratchDatabase(name);
  const ds = await openDatabase({
    url: scratch.url,
    database: scratch.database,
    migrations,
    applicationName: options.applicationName ?? name.replace(/_/g, '-'),
    poolSize: options.poolSize,
  });
  return {
    ...scratch,
    ds,
    drop: async () => {
      if (ds.isInitialized) await ds.destroy();
      await scratch.drop();
    },
  };
}
