import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type * as Password from "@/lib/accounts/password";
import { AppError } from "@/lib/errors";

// The sign-in's password hash (32 MiB scrypt), counted: the real function, wrapped in a spy.
vi.mock("@/lib/accounts/password", async (importOriginal) => {
  const real = await importOriginal<typeof Password>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const { verifyPassword } = await import("@/lib/accounts/password");
const { verifyCredentialsLimited } = await import("@/lib/limits/sign-in");
const { makeUser } = await import("./harness");
const hashes = vi.mocked(verifyPassword);

const ip = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

type Outcome = "signed-in" | "wrong" | "refused";
async function attempt(clientIp: string, email: string, password: string): Promise<Outcome> {
  try {
    return (await verifyCredentialsLimited(clientIp, email, password)) ? "signed-in" : "wrong";
  } catch (error) {
    if (error instanceof AppError && error.kind === "rate-limited") return "refused";
    throw error;
  }
}

async function burst(n: number, make: (i: number) => Promise<Outcome>) {
  hashes.mockClear();
  const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => make(i)));
  return {
    refused: outcomes.filter((o) => o === "refused").length,
    wrong: outcomes.filter((o) => o === "wrong").length,
    hashed: hashes.mock.calls.length,
  };
}

describe("sign-in limits (real database, real scrypt)", () => {
  it("refuses a 200-attempt burst on one account from one IP before hashing, after 5 failures", async () => {
    const user = await makeUser();
    const result = await burst(200, () => attempt("192.0.2.10", user.email, "wrong password"));
    console.log(
      `sign-in attempts refused in a 200-request burst (one IP, one e-mail): ${result.refused}; hashed: ${result.hashed}`,
    );
    expect(result).toEqual({ refused: 195, wrong: 5, hashed: 5 });
  });

  it("refuses a 200-attempt burst over many e-mails from one IP after 50 failures", async () => {
    const from = ip();
    const result = await burst(200, (i) => attempt(from, `nobody-${i}-${randomUUID()}@example.com`, "guess"));
    console.log(
      `sign-in attempts refused in a 200-request burst (one IP, 200 e-mails): ${result.refused}; hashed: ${result.hashed}`,
    );
    expect(result).toEqual({ refused: 150, wrong: 50, hashed: 50 });
  });

  it("says when to retry, in minutes rounded up", async () => {
    const user = await makeUser();
    const from = ip();
    for (let i = 0; i < 5; i++) expect(await attempt(from, user.email, "nope")).toBe("wrong");
    const error = await verifyCredentialsLimited(from, user.email, "password-123").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe("Too many attempts, try again in 15 minutes.");
    expect((error as AppError).retryAfterSeconds).toBeGreaterThan(14 * 60);
  });

  it("resets the (IP, e-mail) pair on a success", async () => {
    const user = await makeUser();
    const from = ip();
    for (let i = 0; i < 4; i++) expect(await attempt(from, user.email, "nope")).toBe("wrong");
    expect(await attempt(from, user.email, "password-123")).toBe("signed-in");
    // Five fresh failures are allowed again (without the reset, the second would be refused).
    for (let i = 0; i < 5; i++) expect(await attempt(from, user.email, "nope")).toBe("wrong");
    expect(await attempt(from, user.email, "password-123")).toBe("refused");
  });

  it("leaves other IPs alone, until an IP reaches its own limit", async () => {
    const user = await makeUser();
    const attacker = ip();
    for (let i = 0; i < 5; i++) await attempt(attacker, user.email, "nope");
    expect(await attempt(attacker, user.email, "password-123")).toBe("refused");
    // The owner, from elsewhere, signs in.
    expect(await attempt(ip(), user.email, "password-123")).toBe("signed-in");
    // The attacker's IP, spreading over e-mails: 50 failures in all, then refused for every e-mail.
    const other = await makeUser();
    const spread = await burst(60, (i) => attempt(attacker, `x-${i}-${randomUUID()}@example.com`, "nope"));
    expect(spread.hashed).toBe(45); // 50 per IP, 5 already spent on the first account
    expect(await attempt(attacker, other.email, "password-123")).toBe("refused");
    expect(await attempt(ip(), other.email, "password-123")).toBe("signed-in");
  });
});
