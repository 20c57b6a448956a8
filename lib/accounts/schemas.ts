import { z } from "zod";

export const emailSchema = z
  .string({ error: "email is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "email must be a valid e-mail address" }).max(254));

export const passwordSchema = z
  .string({ error: "password is required" })
  .min(8, "password must be at least 8 characters")
  .max(200, "password must be at most 200 characters");

export const createUserSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  planName: z.string().trim().min(1).optional(),
  isStaff: z.boolean().default(false),
});

export const tokenNameSchema = z.string().trim().min(1, "token name must not be empty").max(100, "token name is at most 100 characters");
