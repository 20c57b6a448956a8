/**
 * Runs once when a Next.js server starts (`npm start`, `next start`, the Docker image's
 * server.js), before it serves: refuses to serve production without PUBLIC_URL or TRUST_PROXY;
 * migrates and seeds PostgreSQL, or on the embedded default runs the database itself
 * (db/server-start); without TRUST_PROXY, makes the proxy headers say what the socket says
 * (lib/http/client-ip); without REDIS_URL, starts the reconciler's timer (lib/maintenance/schedule).
 * Never during `next build`: building needs no database.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { assertServingEnv, env, EnvError } = await import("@/lib/env");
  const { EmbeddedStartError } = await import("@/db/embedded");
  const { prepareServerDatabase } = await import("@/db/server-start");
  try {
    assertServingEnv(env());
    await prepareServerDatabase(env());
  } catch (error) {
    // Next would only log a failed register and answer 500 to every request: refuse to run instead.
    if (error instanceof EnvError || error instanceof EmbeddedStartError) console.error(error.message);
    else console.error("Could not prepare the database:", error);
    process.exit(1);
  }
  const { guardForwardedHeaders } = await import("@/lib/http/client-ip");
  guardForwardedHeaders(env().TRUST_PROXY);
  // Without Redis no worker runs the reconciler's schedule: this process does, on a timer.
  const { startReconcileTimer } = await import("@/lib/maintenance/schedule");
  startReconcileTimer(env(), async () => (await import("@/lib/maintenance/reconcile")).reconcileAndLog("timer"));
}
