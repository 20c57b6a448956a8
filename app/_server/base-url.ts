import "server-only";
import { headers } from "next/headers";
import { originOf } from "@/lib/http/api-route";

/** The origin pages put into links, matching what the API returns for the same request. */
export async function baseUrlOfOrigin(): Promise<string> {
  return originOf(await headers());
}
