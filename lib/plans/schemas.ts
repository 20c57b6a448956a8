import { z } from "zod";

export const planHeightsSchema = z
  .array(z.number().int("heights must be whole numbers").min(1, "heights must be at least 1").max(4096, "heights must be at most 4096"))
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
