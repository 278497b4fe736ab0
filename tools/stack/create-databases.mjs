// Creates each service's database on the local PostgreSQL (idempotent). Plain JS so that it
// runs before the TypeScript build. Database names come from libs/contracts/src/service-names.ts.
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = readFileSync(fileURLToPath(new URL('../../libs/contracts/src/service-names.ts', import.meta.url)), 'utf8');
const names = [...src.matchAll(/database: '([a-z_]+)'/g)].map((m) => m[1]);
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const existing = new Set((await client.query('SELECT datname FROM pg_database')).rows.map((r) => r.datname));
const extra = (process.env.EXTRA_DATABASES ?? '').split(',').filter(Boolean);
for (const db of [...names, ...extra]) {
  if (!existing.has(db)) {
    await client.query(`CREATE DATABASE ${db}`);
    console.error(`› created database ${db}`);
  }
}
await client.end();
