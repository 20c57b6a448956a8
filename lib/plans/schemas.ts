import { z } from "zod";
import { PREMIUM_LIMITS } from "./builtin";
import { BYTES_PER_MB, formatSize } from "./sizes";

const planHeightsSchema = z
  .array(
    z
      .number()
      .int("heights must be whole numbers")
      .min(1, "heights must be at least 1")
      .max(4096, "heights must be at most 4096"),
  )
  .min(1, "a plan needs at least one thumbnail height")
  .max(64, "a plan has at most 64 heights")
  .refine((hs) => new Set(hs).size === hs.length, "heights must be distinct");

const planNameSchema = z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters");

/** No plan may allow more than the server-wide MAX_UPLOAD_BYTES: the message names that limit. */
const overGlobal = (globalMaxBytes: number) =>
  `the largest upload can be at most ${formatSize(globalMaxBytes)} (${globalMaxBytes} bytes), the server-wide limit MAX_UPLOAD_BYTES`;

const maxUploadBytesSchema = (globalMaxBytes: number) =>
  z
    .number({ error: "the largest upload must be a number of bytes" })
    .int("the largest upload must be a whole number of bytes")
    .min(1, "the largest upload must be at least 1 byte")
    .max(globalMaxBytes, overGlobal(globalMaxBytes));

const quotaBytesSchema = z
  .number({ error: "the storage quota must be a number of bytes, or null for unlimited" })
  .int("the storage quota must be a whole number of bytes")
  .min(0, "the storage quota must be 0 or more (or empty for unlimited)")
  .nullable();

const rateSchema = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must be 0 (unlimited) or more`);

/**
 * A plan in bytes and counts (API, CLI, services). Limits left out get Premium's, the largest
 * upload never above `globalMaxBytes` (the server's MAX_UPLOAD_BYTES).
 */
export const planInputSchemaFor = (globalMaxBytes: number) =>
  z.object({
    name: planNameSchema,
    heights: planHeightsSchema,
    originalLink: z.boolean().default(false),
    expiringLinks: z.boolean().default(false),
    maxUploadBytes: maxUploadBytesSchema(globalMaxBytes).default(
      Math.min(PREMIUM_LIMITS.maxUploadBytes, globalMaxBytes),
    ),
    quotaBytes: quotaBytesSchema.default(PREMIUM_LIMITS.quotaBytes),
    requestsPerMinute: rateSchema("requests per minute").default(PREMIUM_LIMITS.requestsPerMinute),
    uploadsPerHour: rateSchema("uploads per hour").default(PREMIUM_LIMITS.uploadsPerHour),
  });

export type PlanInput = z.input<ReturnType<typeof planInputSchemaFor>>;

const HEIGHTS_HINT = "e.g. 100, 300";

/**
 * Heights typed as text ("100, 300" or "100 300") → [100, 300]. The plan form and the server
 * both parse with this, so a staff member sees the same message in the browser and from the server.
 */
const planHeightsTextSchema = z
  .string({ error: "heights are required" })
  .transform((text, ctx) => {
    const parts = text.split(/[\s,;]+/).filter(Boolean);
    if (parts.length === 0) {
      ctx.addIssue({ code: "custom", message: `enter at least one height in pixels, ${HEIGHTS_HINT}`, input: text });
      return z.NEVER;
    }
    const notNumbers = parts.filter((p) => !/^\d+$/.test(p));
    if (notNumbers.length) {
      const list = notNumbers.map((p) => `"${p}"`).join(", ");
      ctx.addIssue({
        code: "custom",
        message: `${list} ${notNumbers.length === 1 ? "is not a valid height" : "are not valid heights"}: enter whole numbers from 1 to 4096 separated by commas, ${HEIGHTS_HINT}`,
        input: text,
      });
      return z.NEVER;
    }
    const heights = parts.map(Number);
    const outOfRange = parts.filter((p) => Number(p) < 1 || Number(p) > 4096);
    if (outOfRange.length) {
      ctx.addIssue({
        code: "custom",
        message: `heights must be from 1 to 4096 pixels: ${outOfRange.join(", ")} ${outOfRange.length === 1 ? "is" : "are"} out of range`,
        input: text,
      });
      return z.NEVER;
    }
    const repeated = [...new Set(heights.filter((h, i) => heights.indexOf(h) !== i))];
    if (repeated.length) {
      ctx.addIssue({
        code: "custom",
        message: `heights must be distinct: ${repeated.join(", ")} ${repeated.length === 1 ? "is" : "are"} listed more than once`,
        input: text,
      });
      return z.NEVER;
    }
    return heights;
  })
  .pipe(planHeightsSchema);

const DECIMAL = /^\d+(\.\d+)?$/;

/** "25" or "0.5" (MB, as typed) → bytes, or null for an empty field; anything else is an issue on the field. */
const mbOrEmpty = (what: string) =>
  z.string({ error: `${what} is required` }).transform((text, ctx) => {
    const trimmed = text.trim();
    if (trimmed === "") return null;
    if (!DECIMAL.test(trimmed)) {
      ctx.addIssue({ code: "custom", message: `${what}: enter a number of MB, e.g. 25 or 0.5`, input: text });
      return z.NEVER;
    }
    return Math.round(Number(trimmed) * BYTES_PER_MB);
  });

/** A whole number typed as text ("600"); 0 means unlimited. */
const countTextSchema = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .regex(/^\d{1,9}$/, `${what} must be a whole number, 0 for unlimited`)
    .transform(Number);

/**
 * The plan form: heights as text, sizes as MB (1 MB = 1024 × 1024 bytes; an empty quota is
 * unlimited), rates as text. Its output is a plan input in bytes. The browser validates with it
 * and the server parses the same values with it again.
 */
export const planFormSchemaFor = (globalMaxBytes: number) =>
  z
    .object({
      name: planNameSchema,
      heights: planHeightsTextSchema,
      originalLink: z.boolean().default(false),
      expiringLinks: z.boolean().default(false),
      maxUploadMb: mbOrEmpty("largest upload")
        .pipe(
          maxUploadBytesSchema(globalMaxBytes)
            .nullable()
            .refine((bytes) => bytes !== null, "enter the largest upload in MB, e.g. 25"),
        )
        .optional(),
      quotaMb: mbOrEmpty("storage quota").pipe(quotaBytesSchema).optional(),
      requestsPerMinute: countTextSchema("requests per minute").optional(),
      uploadsPerHour: countTextSchema("uploads per hour").optional(),
    })
    // Limits left out (a caller that predates them) are Premium's, as for planInputSchemaFor.
    .transform(({ maxUploadMb, quotaMb, requestsPerMinute, uploadsPerHour, ...rest }) => ({
      ...rest,
      maxUploadBytes: maxUploadMb ?? Math.min(PREMIUM_LIMITS.maxUploadBytes, globalMaxBytes),
      quotaBytes: quotaMb === undefined ? PREMIUM_LIMITS.quotaBytes : quotaMb,
      requestsPerMinute: requestsPerMinute ?? PREMIUM_LIMITS.requestsPerMinute,
      uploadsPerHour: uploadsPerHour ?? PREMIUM_LIMITS.uploadsPerHour,
    }));

/** The server action's first parse (any upload size); the service checks against MAX_UPLOAD_BYTES. */
export const planFormSchema = planFormSchemaFor(Number.MAX_SAFE_INTEGER);

export type PlanFormInput = z.input<typeof planFormSchema>;
