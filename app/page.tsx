import { requirePrincipal } from "@/lib/auth/session";
import { Gallery } from "@/components/gallery/gallery";
import { baseUrlOfOrigin } from "@/app/_server/base-url";
import { imageJson } from "@/lib/images/image-json";
import { listImages } from "@/lib/images/list-images";
import { usageOf } from "@/lib/plans/quota";

export default async function GalleryPage() {
  const principal = await requirePrincipal("/");
  const [page, usage] = await Promise.all([listImages(principal.userId, { limit: 24 }), usageOf(principal.userId)]);
  const baseUrl = await baseUrlOfOrigin();
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Your images</h1>
        <p className="text-sm text-slate-600">
          Plan <strong>{principal.plan.name}</strong>: thumbnails {principal.plan.heights.join(", ")} px
          {principal.plan.originalLink ? ", original link" : ""}
          {principal.plan.expiringLinks ? ", expiring links" : ""}.
        </p>
      </div>
      <Gallery
        initial={{ items: page.items.map((i) => imageJson(i, principal.plan, baseUrl)), next_cursor: page.nextCursor }}
        usage={{ bytes: usage.bytes, quotaBytes: usage.quotaBytes }}
      />
    </div>
  );
}
