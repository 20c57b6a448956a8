import { z } from "zod";

export const emailSchema = z
  .string({ error: "email is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "email must be a valid e-mail address" }).max(254));

const passwordSchema = z
  .string({ error: "password is required" })
  .min(8, "password must be at least 8 characters")
  .max(200, "password must be at most 200 characters");

export const createUserSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  planName: z.string().trim().min(1).optional(),
  isStaff: z.boolean().default(false),
});

export const tokenNameSchema = z
  .string()
  .trim()
  .min(1, "token name must not be empty")
  .max(100, "token name is at most 100 characters");

/** Staff creating an account from the users page: the plan is picked by id from a select. */
export const adminCreateUserSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  planId: z.uuid({ error: "choose a plan" }),
  isStaff: z.boolean({ error: "staff must be on or off" }).default(false),
});

export const resetPasswordSchema = z.object({ password: passwordSchema });

export const userFlagSchema = z.boolean({ error: "must be on or off" });

const MAX_USER_LIST = 500;

/** The users page's search: a case-insensitive substring of the e-mail. */
export const listUsersQuerySchema = z.object({
  q: z.string().trim().max(254, "search is at most 254 characters").optional(),
  limit: z
    .number()
    .int("limit must be a whole number")
    .min(1, `limit must be between 1 and ${MAX_USER_LIST}`)
    .max(MAX_USER_LIST, `limit must be between 1 and ${MAX_USER_LIST}`)
    .default(200),
});
