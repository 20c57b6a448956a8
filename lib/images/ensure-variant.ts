import type { Image, ImageVariant } from "@/db/schema";
import { imagingError, readOriginal, renderStored, storeRenditions } from "./store-variants";

const inFlight = new Map<string, Promise<ImageVariant>>();

/**
 * Produces a variant on request: one the owner's plan gained after upload, one whose job has not
 * run yet, or one whose file went missing (`repair`). Concurrent requests in this process share
 * one rendering; across processes the (image, height) key keeps one row and one file.
 */
export function ensureVariant(image: Image, height: number, options: { repair?: boolean } = {}): Promise<ImageVariant> {
  const flightKey = `${image.id}:${height}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = produceVariant(image, height, options.repair === true).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  return flight;
}

async function produceVariant(image: Image, height: number, repair: boolean): Promise<ImageVariant> {
  const bytes = await readOriginal(image);
  let renditions;
  try {
    renditions = await renderStored(image, bytes, [height]);
  } catch (error) {
    throw imagingError(error);
  }
  const [saved] = await storeRenditions(image, renditions, { replace: repair });
  if (!saved) throw new Error("no variant stored");
  return saved;
}
