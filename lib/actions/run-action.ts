import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { ActionFailure, ActionResult } from "./result";

/** Ids are only checked to be strings here: the services answer 404 to anything not a known id. */
export const actionIdSchema = z.string({ error: "missing id" });

/**
 * A service's AppError becomes its message and field errors; anything else is logged and reported
 * as a generic failure (no internals reach the browser).
 */
function actionFailure(error: unknown): ActionFailure {
  if (error instanceof AppError)
    return { ok: false, error: error.message, ...(error.fields ? { fieldErrors: error.fields } : {}) };
  console.error("server action failed", error);
  return { ok: false, error: "Something went wrong on the server. Please try again." };
}

/** Runs a server action's one service call; on success revalidates the pages that show its data. */
export async function runAction(work: () => Promise<unknown>, ...paths: string[]): Promise<ActionResult> {
  try {
    await work();
  } catch (error) {
    return actionFailure(error);
  }
  for (const path of paths) revalidatePath(path);
  return { ok: true };
}
