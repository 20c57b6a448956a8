import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { encode } from "@auth/core/jwt";
import path from "node:path";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { getDb, onQuery } from "@/db/client";
import { images, users } from "@/db/schema";
import { createApiToken } from "@/lib/accounts/api-tokens";
import { principalFromUserId, type Principal } from "@/lib/accounts/principal";
import { createUser } from "@/lib/accounts/users";
import { createPlan } from "@/lib/plans/create-plan";
import { settleInProcessJobs } from "@/lib/queue/thumbnail-jobs";
import { expectProblem } from "../support/expect-problem";
import { getStorage, type StorageProvider } from "@/lib/storage";
import * as imageRoute from "@/app/api/v1/images/route";
import * as imageItemRoute from "@/app/api/v1/images/[id]/route";
import * as imagesDeleteRoute from "@/app/api/v1/images/delete/route";
import * as originalRoute from "@/app/api/v1/images/[id]/original/route";
import * as thumbnailRoute from "@/app/api/v1/images/[id]/thumbnails/[height]/route";
import * as tempLinksRoute from "@/app/api/v1/temp-links/route";
import * as tempLinkItemRoute from "@/app/api/v1/temp-links/[id]/route";
import * as publicLinkRoute from "@/app/l/[token]/route";
import * as sharePageRoute from "@/app/s/[token]/route";
import * as uploadsRoute from "@/app/api/v1/uploads/route";
import * as uploadCompleteRoute from "@/app/api/v1/uploads/[id]/complete/route";
import * as uploadContentRoute from "@/app/api/v1/uploads/[id]/content/route";

/**
 * API tests call the real route handlers with real Requests against real PostgreSQL and a real
 * storage directory: everything but the HTTP socket (the browser suite covers that).
 */
export const BASE = "http://localhost:3000";
/**
 * The shared real-world images (../shared/corpus, or TEST_CORPUS_DIR): only the corpus suite needs
 * them; the other suites upload images they generate (tests/support/fixtures).
 */
export const CORPUS = path.resolve(
  process.env.TEST_CORPUS_DIR ?? path.join(import.meta.dirname, "../../../shared/corpus"),
);
export const CORPUS_AVAILABLE = existsSync(CORPUS);

export type TestUser = { id: string; email: string; token: string; principal: () => Promise<Principal> };

export async function makePlan(spec: Omit<Parameters<typeof createPlan>[0], "name">) {
  return createPlan({ name: `Plan ${randomUUID().slice(0, 8)}`, ...spec });
}

export async function makeUser(planName = "Basic", options: { isStaff?: boolean } = {}): Promise<TestUser> {
  const email = `user-${randomUUID()}@example.com`;
  const user = await createUser({ email, password: "password-123", planName, isStaff: options.isStaff ?? false });
  const { token } = await createApiToken(user.id, "tests");
  return {
    id: user.id,
    email,
    token,
    principal: async () => (await principalFromUserId(user.id, Date.now())) as Principal,
  };
}

/** The next-auth session cookie's name on http (a browser signed in here sends it). */
export const SESSION_COOKIE = "authjs.session-token";

/** A Cookie header of a session of `userId` signed in now (with another `secret`: a forged one). */
export async function sessionCookie(userId: string, secret = process.env.AUTH_SECRET as string): Promise<string> {
  const jwt = await encode({ token: { sub: userId, authTime: Date.now() }, secret, salt: SESSION_COOKIE });
  return `${SESSION_COOKIE}=${jwt}`;
}

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

export async function call<P>(
  handler: Handler<P> | undefined,
  init: {
    method?: string;
    path: string;
    token?: string | null;
    headers?: Record<string, string>;
    body?: BodyInit;
    params?: P;
  },
): Promise<Response> {
  if (!handler) throw new Error("route does not export that method");
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const request = new Request(BASE + init.path, {
    method: init.method ?? "GET",
    headers,
    body: init.body,
    duplex: "half",
  } as RequestInit);
  return handler(request, { params: Promise.resolve((init.params ?? {}) as P) });
}

export function uploadForm(
  name: string | null,
  file: Uint8Array | null,
  filename = "upload.bin",
  type = "application/octet-stream",
): FormData {
  const form = new FormData();
  if (name !== null) form.set("name", name);
  if (file) form.set("image", new Blob([new Uint8Array(file)], { type }), filename);
  return form;
}

export const api = {
  /** A FormData body sets its own multipart content type; raw bodies name theirs in `headers`. */
  upload: (token: string | null, body: BodyInit, headers?: Record<string, string>) =>
    call(imageRoute.POST, { method: "POST", path: "/api/v1/images", token, body, headers }),
  list: (token: string, query = "") => call(imageRoute.GET, { path: `/api/v1/images${query}`, token }),
  get: (token: string, id: string) => call(imageItemRoute.GET, { path: `/api/v1/images/${id}`, token, params: { id } }),
  rename: (token: string | null, id: string, body: unknown, headers: Record<string, string> = {}) =>
    call(imageItemRoute.PATCH, {
      method: "PATCH",
      path: `/api/v1/images/${id}`,
      token,
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
      params: { id },
    }),
  deleteMany: (token: string | null, body: unknown) =>
    call(imagesDeleteRoute.POST, {
      method: "POST",
      path: "/api/v1/images/delete",
      token,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  delete: (token: string, id: string) =>
    call(imageItemRoute.DELETE, { method: "DELETE", path: `/api/v1/images/${id}`, token, params: { id } }),
  thumbnail: (
    token: string | null,
    id: string,
    height: number | string,
    headers?: Record<string, string>,
    format?: string,
  ) =>
    call(thumbnailRoute.GET, {
      path: `/api/v1/images/${id}/thumbnails/${height}${format === undefined ? "" : `?format=${format}`}`,
      token,
      headers,
      params: { id, height: String(height) },
    }),
  original: (token: string | null, id: string, headers?: Record<string, string>) =>
    call(originalRoute.GET, { path: `/api/v1/images/${id}/original`, token, headers, params: { id } }),
  createLink: (token: string, body: unknown, headers?: Record<string, string>) =>
    call(tempLinksRoute.POST, {
      method: "POST",
      path: "/api/v1/temp-links",
      token,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  listLinks: (token: string, query = "") => call(tempLinksRoute.GET, { path: `/api/v1/temp-links${query}`, token }),
  revokeLink: (token: string, id: string) =>
    call(tempLinkItemRoute.DELETE, { method: "DELETE", path: `/api/v1/temp-links/${id}`, token, params: { id } }),
  openLink: (url: string, headers?: Record<string, string>) => {
    const { pathname, search } = new URL(url);
    const token = pathname.replace(/^\/l\//, "");
    return call(publicLinkRoute.GET, { path: `/l/${token}${search}`, headers, params: { token } });
  },
  createUpload: (token: string | null, body: unknown, headers?: Record<string, string>) =>
    call(uploadsRoute.POST, {
      method: "POST",
      path: "/api/v1/uploads",
      token,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  completeUpload: (token: string | null, id: string) =>
    call(uploadCompleteRoute.POST, {
      method: "POST",
      path: `/api/v1/uploads/${id}/complete`,
      token,
      params: { id },
    }),
  /**
   * A PUT to an upload's `url`: the app's own route when it points here (disk storage), else a
   * real request to wherever it points (the S3 server). `headers` as the upload gave them.
   */
  sendUpload: (url: string, body: Uint8Array, headers: Record<string, string>) => {
    const target = new URL(url);
    const init = { method: "PUT", headers, body: new Uint8Array(body) };
    if (target.origin !== BASE) {
      // fetch sets Content-Length from the body itself, as a browser does.
      const { "Content-Length": _length, ...rest } = headers;
      return fetch(url, { ...init, headers: rest });
    }
    const id = target.pathname.split("/")[4] as string;
    return call(uploadContentRoute.PUT, { ...init, path: target.pathname + target.search, params: { id } });
  },
  /** A link's share page (its `page_url`), as a signed-out browser asks for it. */
  openPage: (pageUrl: string) => {
    const token = new URL(pageUrl).pathname.replace(/^\/s\//, "");
    return call(sharePageRoute.GET, { path: `/s/${token}`, params: { token } });
  },
};

export { CHROMIUM_ACCEPT, SAFARI_15_ACCEPT } from "../support/accept";

/** What a JPEG's thumbnail can be served in (formats.test.ts covers the negotiation). */
export const JPEG_FORMATS = ["avif", "webp", "jpeg", "png"];

export type ImageBody = {
  id: string;
  name: string;
  width: number;
  height: number;
  content_type: string;
  bytes: number;
  created_at: string;
  status: "processing" | "ready" | "failed";
  thumbnails: { height: number; width: number; url: string; formats: string[] }[];
  original: { url: string } | null;
};

/** Uploads, waits for the thumbnail job (run in-process without REDIS_URL), returns the Image as it is then. */
export async function uploadOk(user: TestUser, file: Uint8Array, name = "picture"): Promise<ImageBody> {
  const res = await api.upload(user.token, uploadForm(name, file));
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as ImageBody;
  await settleInProcessJobs();
  return (await (await api.get(user.token, id)).json()) as ImageBody;
}

/** Heights whose thumbnail files are stored for an image (keys are variants/<id>/<height>-<hash>). */
export async function storedHeights(imageId: string): Promise<number[]> {
  const keys = await getStorage().list(`variants/${imageId}/`);
  return keys.map((k) => Number(/\/(\d+)-[0-9a-f]{16}$/.exec(k)?.[1] ?? NaN)).sort((a, b) => a - b);
}

/** Asserts an RFC 9457 body with the given status, and returns it. */
export { expectProblem };

export type UploadBody = {
  id: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expires_at: string;
};

/** A direct upload of `file` started, its bytes sent to its URL and completed: the completion's answer. */
export async function uploadDirect(user: TestUser, file: Uint8Array, name = "picture", type = "image/jpeg") {
  const created = await api.createUpload(user.token, { name, bytes: file.length, content_type: type });
  expect(created.status).toBe(201);
  const upload = (await created.json()) as UploadBody;
  const sent = await api.sendUpload(upload.url, file, upload.headers);
  expect(sent.ok).toBe(true);
  return { upload, completed: await api.completeUpload(user.token, upload.id) };
}

export async function imageRowsOf(userId: string) {
  return getDb().select().from(images).where(eq(images.ownerId, userId));
}

export async function storedKeys(): Promise<string[]> {
  return getStorage().list("");
}

export type StoreSnapshot = { keys: string[]; rows: number; bytesUsed: number };

/** The bytes the user's quota counts as used. */
export async function bytesUsed(userId: string): Promise<number> {
  const [row] = await getDb().select({ bytesUsed: users.bytesUsed }).from(users).where(eq(users.id, userId));
  return row?.bytesUsed ?? NaN;
}

export async function snapshot(user: TestUser): Promise<StoreSnapshot> {
  await settleInProcessJobs(); // earlier uploads' thumbnail jobs must not land mid-comparison
  return { keys: await storedKeys(), rows: (await imageRowsOf(user.id)).length, bytesUsed: await bytesUsed(user.id) };
}

/**
 * Nothing was stored: the user has no new row, the store holds exactly what it held before, and
 * the quota counts the same bytes (a reservation made for the failed request was given back).
 */
export async function expectNothingStored(
  user: TestUser,
  before: StoreSnapshot,
  options: { usageGivenBack?: boolean } = {},
) {
  await settleInProcessJobs();
  expect(await imageRowsOf(user.id)).toHaveLength(before.rows);
  expect(await storedKeys()).toEqual(before.keys);
  // A user deleted meanwhile (NaN) has no usage left to compare.
  const used = await bytesUsed(user.id);
  if (!Number.isNaN(used) && options.usageGivenBack !== false) expect(used).toBe(before.bytesUsed);
}

export async function setActive(userId: string, isActive: boolean) {
  await getDb().update(users).set({ isActive }).where(eq(users.id, userId));
}

export async function bodyBytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

/** Runs fn and returns the SQL statements it sent. */
export async function queriesOf(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const stop = onQuery((q) => seen.push(q));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen;
}

/**
 * The store as it is, except that an upload's own thumbnail writes fail (`count` of them), so the
 * upload answers `processing` and hands its thumbnails to the job: the way to give the job work.
 */
export function refusingThumbnailWrites(count = Infinity): StorageProvider {
  const real = getStorage();
  let refused = 0;
  return Object.assign(Object.create(real) as StorageProvider, {
    async put(key: string, data: Uint8Array, type: string) {
      if (key.startsWith("variants/") && refused < count) {
        refused++;
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      }
      return real.put(key, data, type);
    },
  });
}
