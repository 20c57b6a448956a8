import { problemOf, problemResponse } from "@/lib/http/problem";
import { readiness } from "@/lib/health/readiness";

export const dynamic = "force-dynamic";

// Readiness: 200 when database, storage and queue all answer; otherwise 503 naming what failed.
export async function GET(): Promise<Response> {
  const { ready, checks } = await readiness();
  if (ready) return Response.json({ status: "ready", checks }, { headers: { "Cache-Control": "no-store" } });
  const failed = Object.entries(checks).filter(([, c]) => !c.ok);
  return problemResponse(
    problemOf(
      503,
      `Not ready: ${failed.map(([name, c]) => `${name} (${c.error})`).join(", ")}.`,
      Object.fromEntries(failed.map(([name, c]) => [name, [c.error ?? "unavailable"]])),
    ),
    { "Retry-After": "5" },
  );
}
