import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { ApiError, appErrorResponse } from "./problem";

describe("appErrorResponse", () => {
  it("maps each kind to its status, with the message as detail and the fields as errors", async () => {
    const response = appErrorResponse(
      new AppError("invalid", "The file is empty.", { fields: { image: ["The file is empty."] } }),
    );
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toEqual({
      type: "about:blank#unprocessable-content",
      title: "Unprocessable Content",
      status: 422,
      detail: "The file is empty.",
      errors: { image: ["The file is empty."] },
    });
    const statuses = (
      [
        "invalid",
        "bad-request",
        "unauthenticated",
        "forbidden",
        "not-found",
        "conflict",
        "gone",
        "too-large",
        "unsupported-type",
        "unavailable",
      ] as const
    ).map((kind) => appErrorResponse(new AppError(kind, "x")).status);
    expect(statuses).toEqual([422, 400, 401, 403, 404, 409, 410, 413, 415, 503]);
  });

  it("sends Retry-After from retryAfterSeconds, and an ApiError's own status and headers", async () => {
    expect(
      appErrorResponse(new AppError("unavailable", "Later.", { retryAfterSeconds: 5 })).headers.get("retry-after"),
    ).toBe("5");
    expect(appErrorResponse(new AppError("conflict", "Taken.")).headers.has("retry-after")).toBe(false);
    const challenge = appErrorResponse(
      new ApiError(401, "Authentication required.", undefined, { "WWW-Authenticate": "Bearer" }),
    );
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toBe("Bearer");
    expect(await challenge.json()).toMatchObject({ status: 401, detail: "Authentication required." });
  });
});
