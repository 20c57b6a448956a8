import { z } from "zod";
import { notFound } from "@/lib/errors";

const uuid = z.uuid();

/** An id from outside: anything but a UUID cannot name a row, so it is a 404 like a missing one. */
export function idOrNotFound(value: unknown, what: string): string {
  if (!uuid.safeParse(value).success) throw notFound(what);
  return value as string;
}
