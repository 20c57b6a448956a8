/**
 * Another process starting on a DATA_DIR, as a second `npm start`, a worker or the admin CLI
 * would: `node --import tsx tests/embedded/start-embedded.ts DATA_DIR PORT`. Starts the embedded
 * server (or finds its owner), counts the seeded plans through it, and prints one JSON line:
 * {"owner": true|false, "plans": n}. An owner then serves until SIGTERM (stop) or SIGKILL.
 */
import postgres from "postgres";
import { startEmbeddedServer } from "@/db/embedded";

const [dataDir = "", port = ""] = process.argv.slice(2);
const server = await startEmbeddedServer({ dataDir, port: Number(port) });
const sql = postgres(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
const [row] = await sql<{ n: number }[]>`select count(*)::int as n from plans`;
await sql.end();
console.log(JSON.stringify({ owner: server !== null, plans: row?.n }));
if (server) process.once("SIGTERM", () => void server.stop().then(() => process.exit(0)));
