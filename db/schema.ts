import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// Millisecond precision, as JavaScript dates have: a keyset cursor must round-trip exactly.
const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow();

export const plans = pgTable(
  "plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** Thumbnail heights in pixels, kept sorted ascending and distinct. */
    heights: integer("heights").array().notNull(),
    originalLink: boolean("original_link").notNull().default(false),
    expiringLinks: boolean("expiring_links").notNull().default(false),
    /** Largest file a user may upload, bytes; the global MAX_UPLOAD_BYTES still caps it. Default: Premium's 25 MiB. */
    maxUploadBytes: bigint("max_upload_bytes", { mode: "number" }).notNull().default(26_214_400),
    /** Bytes of originals a user may keep; null = unlimited. Default: Premium's 20 GiB. */
    quotaBytes: bigint("quota_bytes", { mode: "number" }).default(21_474_836_480),
    /** API requests per minute per user; 0 = unlimited. */
    requestsPerMinute: integer("requests_per_minute").notNull().default(600),
    /** Uploads per hour per user; 0 = unlimited. */
    uploadsPerHour: integer("uploads_per_hour").notNull().default(1000),
    createdAt: createdAt(),
  },
  (t) => [
    // Names are unique regardless of case, as lookups (CLI --plan premium) ignore case.
    uniqueIndex("plans_name_key").on(sql`lower(${t.name})`),
    check(
      "plans_heights_valid",
      sql`cardinality(${t.heights}) between 1 and 64 and 1 <= all(${t.heights}) and 4096 >= all(${t.heights})`,
    ),
    check(
      "plans_limits_valid",
      sql`${t.maxUploadBytes} >= 1 and (${t.quotaBytes} is null or ${t.quotaBytes} >= 0) and ${t.requestsPerMinute} >= 0 and ${t.uploadsPerHour} >= 0`,
    ),
  ],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; the unique index is on lower(email) so case never makes a second account. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    isStaff: boolean("is_staff").notNull().default(false),
    isActive: boolean("is_active").notNull().default(true),
    /** Sessions that signed in before this moment are refused (a password reset ends them). */
    credentialsChangedAt: timestamp("credentials_changed_at", { withTimezone: true, mode: "date", precision: 3 })
      .notNull()
      .defaultNow(),
    planId: uuid("plan_id")
      .notNull()
      .references(() => plans.id, { onDelete: "restrict" }),
    /**
     * Bytes of the user's originals plus uploads in flight: an upload reserves its size here in one
     * conditional update (never past the plan's quota) before storing anything, and gives it back
     * if it fails; a delete subtracts it in the delete's transaction.
     */
    bytesUsed: bigint("bytes_used", { mode: "number" }).notNull().default(0),
    /**
     * When an upload last reserved bytes (null: not since the reconciler last recounted the user).
     * A reservation whose give-back was lost (the database unreachable as the upload failed, the
     * process killed) stays counted; once the user has reserved nothing for an hour, no upload of
     * theirs is in flight, and the reconciler recounts bytes_used from their images.
     */
    bytesReservedAt: timestamp("bytes_reserved_at", { withTimezone: true, mode: "date", precision: 3 }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    index("users_plan_id_idx").on(t.planId),
    check("users_bytes_used_valid", sql`${t.bytesUsed} >= 0`),
  ],
);

export const images = pgTable(
  "images",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    storageKey: text("storage_key").notNull(),
    contentType: text("content_type").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    /** processing until the plan's thumbnails exist; failed keeps the last error in failure_reason. */
    status: text("status", { enum: ["processing", "ready", "failed"] })
      .notNull()
      .default("processing"),
    failureReason: text("failure_reason"),
    /** A ThumbHash of the image (base64), painted until a thumbnail loads; null for older uploads. */
    placeholder: text("placeholder"),
    createdAt: createdAt(),
  },
  // Keyset pagination reads (owner, created_at desc, id desc) by scanning this index backwards:
  // one range scan per page, no sort, whatever the depth.
  (t) => [
    index("images_owner_created_idx").on(t.ownerId, t.createdAt, t.id),
    // Sorted by name (ICU's root collation, lib/images/list-images): the same keyset scan over (owner, name, id).
    index("images_owner_name_idx").on(t.ownerId, sql`${t.name} collate "und-x-icu"`, t.id),
    // Search by name (`q`: ILIKE '%…%'): trigrams (pg_trgm, created by the migration).
    index("images_name_trgm_idx").using("gin", t.name.op("gin_trgm_ops")),
    check("images_status_valid", sql`${t.status} in ('processing', 'ready', 'failed')`),
  ],
);

/** Encodings a thumbnail is stored and served in. */
export const VARIANT_FORMATS = ["jpeg", "png", "webp", "avif"] as const;

export const imageVariants = pgTable(
  "image_variants",
  {
    imageId: uuid("image_id")
      .notNull()
      .references(() => images.id, { onDelete: "cascade" }),
    height: integer("height").notNull(),
    /** The encoding: the source's own (made at upload), or webp and avif (made by the queue after it). */
    format: text("format", { enum: VARIANT_FORMATS }).notNull(),
    storageKey: text("storage_key").notNull(),
    width: integer("width").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    createdAt: createdAt(),
  },
  // One row per (image, height, format): concurrent producers of the same variant agree on one row.
  (t) => [
    primaryKey({ name: "image_variants_pkey", columns: [t.imageId, t.height, t.format] }),
    check("image_variants_format_valid", sql`${t.format} in ('jpeg', 'png', 'webp', 'avif')`),
  ],
);

export const expiringLinks = pgTable(
  "expiring_links",
  {
    id: uuid("id").primaryKey(),
    imageId: uuid("image_id")
      .notNull()
      .references(() => images.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [index("expiring_links_image_idx").on(t.imageId, t.expiresAt)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** SHA-256 of the token: the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash), index("api_tokens_user_idx").on(t.userId)],
);

/**
 * Idempotency-Key records (Stripe's semantics): one per (user, key) for 24 h. `running` while the
 * first request works (a second one gets 409; after `locked_until` a crashed first is taken over);
 * `done` keeps the first answer to replay. `fingerprint` is the SHA-256 of the operation and its
 * parsed input, so the same key with another request is told apart (422).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    /** Which request holds the key now: a dead request taken over cannot complete or release it. */
    claim: uuid("claim").notNull(),
    state: text("state", { enum: ["running", "done"] })
      .notNull()
      .default("running"),
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }).notNull(),
    responseStatus: integer("response_status"),
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    responseBody: text("response_body"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ name: "idempotency_keys_pkey", columns: [t.userId, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
    check("idempotency_keys_state_valid", sql`${t.state} in ('running', 'done')`),
  ],
);

export type Plan = typeof plans.$inferSelect;
export type User = typeof users.$inferSelect;
export type Image = typeof images.$inferSelect;
export type ImageVariant = typeof imageVariants.$inferSelect;
export type ExpiringLink = typeof expiringLinks.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;

/**
 * Direct-to-storage uploads: the client was handed a presigned URL for exactly `byte_size` bytes
 * at `storage_key` (a staging key, uploads/<id>: completing stores the bytes it validated as the
 * original, and `id` becomes the image's id). `claimed_until` is set while a `complete` call validates the object
 * (a second call meanwhile gets 409; a crashed one is taken over after it). `completed_at` is set
 * when the image is recorded, so a repeated `complete` answers it; the row is deleted when its file
 * is refused, and by the reconciler once expired (with its object) or a day after completion.
 */
export const directUploads = pgTable(
  "direct_uploads",
  {
    id: uuid("id").primaryKey(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    byteSize: bigint("byte_size", { mode: "number" }).notNull(),
    contentType: text("content_type").notNull(),
    storageKey: text("storage_key").notNull(),
    /** The URL's expiry: after it the storage refuses the PUT, and `complete` 410 Gone. */
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    claimedUntil: timestamp("claimed_until", { withTimezone: true, mode: "date" }),
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("direct_uploads_owner_idx").on(t.ownerId),
    index("direct_uploads_expires_idx").on(t.expiresAt),
    check("direct_uploads_byte_size_valid", sql`${t.byteSize} > 0`),
  ],
);

export type DirectUpload = typeof directUploads.$inferSelect;
