// Keeps a real PostgreSQL (tests/e2e/postgres.mjs) running for a shell benchmark: prints
// "url <postgresql://...>" once it accepts connections, and stops it (removing its directory)
// on SIGTERM or SIGINT.
import { startPostgres } from '../e2e/postgres.mjs';

const pg = await startPostgres();
let stopped = false;
const stop = () => {
  if (stopped) return;
  stopped = true;
  pg.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);  // stays alive until a signal
console.log(`url ${pg.url}`);
