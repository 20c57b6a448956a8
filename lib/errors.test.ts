import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, fieldErrors, notFound, parseOrThrow } from "./errors";

const schema = z.object({
  name: z.string().min(1, "name must not be empty"),
  heights: z.array(z.number().int("height must be a whole number")),
});

function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("parseOrThrow", () => {
  it("returns the parsed value", () => {
    expect(parseOrThrow(schema, { name: "Basic", heights: [100] })).toEqual({ name: "Basic", heights: [100] });
  });

  it("throws an invalid AppError naming each bad field by its path", () => {
    const error = thrownBy(() => parseOrThrow(schema, { name: "", heights: [1, 2.5] }));
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.kind).toBe("invalid");
    expect(appError.fields).toEqual({
      name: ["name must not be empty"],
      "heights.1": ["height must be a whole number"],
    });
    expect(appError.message).toBe(
      "Validation failed. name: name must not be empty. heights.1: height must be a whole number",
    );
  });

  it("keys a top-level issue as _ and joins one field's messages with ;", () => {
    const digits = z.string().min(3, "too short").regex(/^\d+$/, "digits only");
    const error = thrownBy(() => parseOrThrow(digits, "a")) as AppError;
    expect(error.fields).toEqual({ _: ["too short", "digits only"] });
    expect(error.message).toBe("Validation failed. _: too short; digits only");
    expect(fieldErrors(digits.safeParse("a").error!)).toEqual(error.fields);
  });
});

describe("AppError", () => {
  it("carries its kind, message, fields, retry hint and cause", () => {
    const cause = new Error("ECONNREFUSED");
    const error = new AppError("unavailable", "Storage is unavailable.", {
      fields: { image: ["later"] },
      retryAfterSeconds: 5,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      kind: "unavailable",
      message: "Storage is unavailable.",
      fields: { image: ["later"] },
      retryAfterSeconds: 5,
      cause,
    });
  });

  it("leaves fields and retryAfterSeconds undefined when not given", () => {
    const error = new AppError("conflict", "Taken.");
    expect(error.fields).toBeUndefined();
    expect(error.retryAfterSeconds).toBeUndefined();
    expect("cause" in error).toBe(false);
  });

  it("notFound names the missing thing", () => {
    expect(notFound("image")).toMatchObject({ kind: "not-found", message: "No such image." });
  });
});
