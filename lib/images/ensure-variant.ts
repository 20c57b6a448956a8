import type { Image, ImageVariant } from "@/db/schema";
import type { VariantFormat } from "./formats";
import { imagingError, readOriginal, renderStored, storeRenditions } from "./store-variants";

const inFlight = new Map<string, Promise<ImageVariant>>();

/**
 * Produces a variant on request: one the owner's plan gained after upload, one whose job has not
 * run yet (a WebP or AVIF asked for before the queue made it), or one whose file went missing
 * (`repair`). Concurrent requests in this process share one rendering; across processes the
 * (image, height, format) key keeps one row and one file.
 */
export function ensureVariant(
  image: Image,
  height: number,
  format: VariantFormat,
  options: { repair?: boolean } = {},
): Promise<ImageVariant> {
  const flightKey = `${image.id}:${height}:${format}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = produceVariant(image, height, format, options.repair === true).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  return flight;
}

async function produceVariant(
  image: Image,
  height: number,
  format: VariantFormat,
  repair: boolean,
): Promise<ImageVariant> {
  const bytes = await readOriginal(image);
  let renditions;
  try {
    renditions = await renderStored(image, bytes, [{ height, format }]);
  } catch (error) {
    throw imagingError(error);
  }
  const [saved] = await storeRenditions(image, renditions, { replace: repair });
  if (!saved) throw new Error("no variant stored");
  return saved;
}
