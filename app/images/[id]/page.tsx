import { notFound } from "next/navigation";
import { baseUrlOfOrigin } from "@/app/_server/base-url";
import { requirePrincipal } from "@/lib/auth/session";
import { ImageDetail } from "@/components/image/image-detail";
import { AppError } from "@/lib/errors";
import { getOwnedImage } from "@/lib/images/get-image";
import { imageJson } from "@/lib/images/image-json";
import { liveTempLinks, tempLinkJson } from "@/lib/links/temp-links";

export default async function ImagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const principal = await requirePrincipal(`/images/${id}`);
  const image = await getOwnedImage(principal.userId, id).catch((error) => {
    if (error instanceof AppError && error.kind === "not-found") notFound();
    throw error;
  });
  const baseUrl = await baseUrlOfOrigin();
  const links = principal.plan.expiringLinks ? await liveTempLinks(principal.userId, image.id) : [];
  return (
    <ImageDetail
      image={imageJson(image, principal.plan, baseUrl)}
      planName={principal.plan.name}
      expiringLinks={principal.plan.expiringLinks}
      initialLinks={links.map((l) => tempLinkJson(l, baseUrl))}
    />
  );
}
