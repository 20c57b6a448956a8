import { randomUUID } from "node:crypto";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "@/db/client";
import { type ExpiringLink, type Image, expiringLinks, images, plans, users } from "@/db/schema";
import type { Principal } from "@/lib/accounts/principal";
import type { TempLinkJson } from "@/lib/api/schemas";
import { idOrNotFound } from "@/lib/ids";
import { env } from "@/lib/env";
import { AppError, notFound } from "@/lib/errors";
import { getOwnedImage } from "@/lib/images/get-image";
import { type MediaFile, originalMedia } from "@/lib/images/media";
import { signLinkId, verifyLinkToken } from "./signing";

/** The binary link (`/l/`) and its share page (`/s/`) carry the same token: one capability, two views. */
const tokenOf = (linkId: string) => signLinkId(linkId, env().LINK_SIGNING_KEY);

function assertPlanAllowsLinks(principal: Principal): void {
  if (!principal.plan.expiringLinks) {
    throw new AppError("forbidden", `Your plan (${principal.plan.name}) does not include expiring links.`);
  }
}

export async function createTempLink(
  principal: Principal,
  input: { imageId: string; aliveSeconds: number },
): Promise<ExpiringLink> {
  assertPlanAllowsLinks(principal);
  await getOwnedImage(principal.userId, input.imageId);
  const createdAt = new Date();
  const [link] = await getDb()
    .insert(expiringLinks)
    .values({
      id: randomUUID(),
      imageId: input.imageId,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + input.aliveSeconds * 1000),
    })
    .returning();
  return link as ExpiringLink;
}

/** The caller's live links (not expired, not revoked), newest first; for one image, 404 unless it is theirs. */
export async function listTempLinks(principal: Principal, imageId?: string): Promise<ExpiringLink[]> {
  if (imageId) await getOwnedImage(principal.userId, imageId);
  return liveTempLinks(principal.userId, imageId);
}

/** The owner's live links, newest first, optionally for one image (for callers that have checked it). */
export function liveTempLinks(ownerId: string, imageId?: string): Promise<ExpiringLink[]> {
  return getDb()
    .select({ link: expiringLinks })
    .from(expiringLinks)
    .innerJoin(images, eq(images.id, expiringLinks.imageId))
    .where(
      and(
        eq(images.ownerId, ownerId),
        imageId ? eq(expiringLinks.imageId, imageId) : undefined,
        isNull(expiringLinks.revokedAt),
        gt(expiringLinks.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(expiringLinks.createdAt))
    .then((rows) => rows.map((r) => r.link));
}

/** Revoking is idempotent for the owner; anyone else's link is a 404. */
export async function revokeTempLink(principal: Principal, linkId: string): Promise<void> {
  idOrNotFound(linkId, "link");
  const [owned] = await getDb()
    .select({ id: expiringLinks.id, revokedAt: expiringLinks.revokedAt })
    .from(expiringLinks)
    .innerJoin(images, eq(images.id, expiringLinks.imageId))
    .where(and(eq(expiringLinks.id, linkId), eq(images.ownerId, principal.userId)));
  if (!owned) throw notFound("link");
  if (!owned.revokedAt)
    await getDb().update(expiringLinks).set({ revokedAt: new Date() }).where(eq(expiringLinks.id, linkId));
}

/** What a live link shows: the original's file, and what the share page says about it. */
export type OpenedTempLink = {
  file: MediaFile;
  expiresAt: Date;
  image: Pick<Image, "name" | "width" | "height" | "contentType">;
};

/**
 * GET /l/{token} and its share page /s/{token}, no authentication: the original until the link
 * expires. Tampered or unknown → 404; expired, revoked, or no longer covered by the owner's plan → 410.
 */
export async function openTempLink(token: string): Promise<OpenedTempLink> {
  const linkId = verifyLinkToken(token, env().LINK_SIGNING_KEY);
  if (!linkId) throw notFound("link");
  const [row] = await getDb()
    .select({ link: expiringLinks, image: images, ownerActive: users.isActive, planAllows: plans.expiringLinks })
    .from(expiringLinks)
    .innerJoin(images, eq(images.id, expiringLinks.imageId))
    .innerJoin(users, eq(users.id, images.ownerId))
    .innerJoin(plans, eq(plans.id, users.planId))
    .where(eq(expiringLinks.id, linkId));
  if (!row) throw notFound("link");
  if (row.link.revokedAt) throw new AppError("gone", "This link has been revoked.");
  if (row.link.expiresAt.getTime() <= Date.now()) throw new AppError("gone", "This link has expired.");
  if (!row.ownerActive || !row.planAllows) throw new AppError("gone", "This link is no longer available.");
  const { name, width, height, contentType } = row.image;
  return {
    file: originalMedia(row.image, true),
    expiresAt: row.link.expiresAt,
    image: { name, width, height, contentType },
  };
}

export function tempLinkJson(link: ExpiringLink, baseUrl: string): TempLinkJson {
  const token = tokenOf(link.id);
  return {
    id: link.id,
    url: `${baseUrl}/l/${token}`,
    page_url: `${baseUrl}/s/${token}`,
    image_id: link.imageId,
    expires_at: link.expiresAt.toISOString(),
    created_at: link.createdAt.toISOString(),
  };
}
