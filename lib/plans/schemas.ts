import { z } from "zod";

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

export const planInputSchema = z.object({
  name: z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters"),
  heights: planHeightsSchema,
  originalLink: z.boolean().default(false),
  expiringLinks: z.boolean().default(false),
});

export type PlanInput = z.input<typeof planInputSchema>;

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

/** The plan form: like planInputSchema, with heights as text. */
export const planFormSchema = planInputSchema.extend({ heights: planHeightsTextSchema });

export type PlanFormInput = z.input<typeof planFormSchema>;
