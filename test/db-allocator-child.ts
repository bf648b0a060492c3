// Child of db.test.ts (a process of its own: the allocator reads its settings once, as libduckdb.so
// loads): loads DuckDB with keepFreedMemoryMs and prints the jemalloc settings it was given.
import { closeDb, configureDb, getDb } from '../src/db/index.js';

configureDb({ keepFreedMemoryMs: 300_000 });
await getDb();
process.stdout.write(`${process.env.DUCKDB_JE_MALLOC_CONF}\n`);
await closeDb();
