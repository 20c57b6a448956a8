import { requirePrincipal } from "@/lib/auth/session";
import { Gallery } from "@/components/gallery/gallery";
import { baseUrlOfOrigin } from "@/app/_server/base-url";
import { imageJson } from "@/lib/images/image-json";
import { listImages } from "@/lib/images/list-images";
import { env } from "@/lib/env";
import { uploadLimit } from "@/lib/plans/entitlements";
import { usageOf } from "@/lib/plans/quota";

const SORTS = ["newest", "oldest", "name"] as const;

export default async function GalleryPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string | string[]; sort?: string | string[] }>;
}) {
  const principal = await requirePrincipal("/");
  const params = await searchParams;
  // The URL's search and sort, as the API would take them; anything else is ignored, not an error.
  const q = [...(typeof params.q === "string" ? params.q : "")]
    .filter((c) => c >= " " && c !== "\u007f")
    .join("")
    .trim()
    .slice(0, 100);
  const sort = SORTS.find((s) => s === params.sort) ?? "newest";
  const [page, usage] = await Promise.all([
    listImages(principal.userId, { limit: 24, q, sort }),
    usageOf(principal.userId),
  ]);
  const baseUrl = await baseUrlOfOrigin();
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Your images</h1>
        <p className="text-sm text-muted">
          Plan <strong>{principal.plan.name}</strong>: thumbnails {principal.plan.heights.join(", ")} px
          {principal.plan.originalLink ? ", original link" : ""}
          {principal.plan.expiringLinks ? ", expiring links" : ""}.
        </p>
      </div>
      <Gallery
        initial={{ items: page.items.map((i) => imageJson(i, principal.plan, baseUrl)), next_cursor: page.nextCursor }}
        usage={{ bytes: usage.bytes, quotaBytes: usage.quotaBytes }}
        initialQuery={{ q, sort }}
        maxUploadBytes={uploadLimit(principal.plan, env().MAX_UPLOAD_BYTES)}
        expiringLinks={principal.plan.expiringLinks}
      />
    </div>
  );
}
