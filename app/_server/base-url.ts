import "server-only";
import { headers } from "next/headers";
import { env } from "@/lib/env";

/** The origin pages put into links, matching what the API returns for the same request. */
export async function baseUrlOfOrigin(): Promise<string> {
  const configured = env().PUBLIC_URL;
  if (configured) return configured.replace(/\/$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto}://${host}`;
}
