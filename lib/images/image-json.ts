import type { Image } from "@/db/schema";
import type { ImageJson } from "@/lib/api/schemas";
import type { Entitlements } from "@/lib/plans/entitlements";
import { servableFormats, sourceFormatOf } from "./formats";
import { variantSize } from "./variants";

/** The columns the Image resource shows (a list reads only these: no storage keys or hashes). */
export type ImageFields = Pick<
  Image,
  "id" | "name" | "width" | "height" | "contentType" | "byteSize" | "createdAt" | "status" | "placeholder"
>;

export const imagePath = (id: string) => `/api/v1/images/${id}`;
const thumbnailPath = (id: string, height: number) => `/api/v1/images/${id}/thumbnails/${height}`;
const originalPath = (id: string) => `/api/v1/images/${id}/original`;

/**
 * The Image resource as the owner's current plan shows it: exactly the plan's heights,
 * ascending, each with the width of the file served at that height (never upscaled).
 */
export function imageJson(image: ImageFields, plan: Entitlements, baseUrl: string): ImageJson {
  const formats = servableFormats(sourceFormatOf(image.contentType));
  return {
    id: image.id,
    name: image.name,
    width: image.width,
    height: image.height,
    content_type: image.contentType as ImageJson["content_type"],
    bytes: image.byteSize,
    created_at: image.createdAt.toISOString(),
    status: image.status,
    placeholder: image.placeholder,
    thumbnails: plan.heights.map((height) => ({
      height,
      width: variantSize(image, height).width,
      url: baseUrl + thumbnailPath(image.id, height),
      formats,
    })),
    original: plan.originalLink ? { url: baseUrl + originalPath(image.id) } : null,
  };
}
