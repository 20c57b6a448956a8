import { describe, expect, it } from "vitest";
import { TOO_MANY_ATTEMPTS, tooManyAttemptsMessage } from "./sign-in-error";

describe("the sign-in page's message for the limits' code", () => {
  it("says how many minutes to wait", () => {
    expect(tooManyAttemptsMessage(`${TOO_MANY_ATTEMPTS}15`)).toBe("Too many attempts, try again in 15 minutes.");
    expect(tooManyAttemptsMessage(`${TOO_MANY_ATTEMPTS}1`)).toBe("Too many attempts, try again in 1 minute.");
  });

  it("is nothing for other codes or a tampered URL", () => {
    for (const code of [
      undefined,
      "credentials",
      `${TOO_MANY_ATTEMPTS}`,
      `${TOO_MANY_ATTEMPTS}0`,
      `${TOO_MANY_ATTEMPTS}x`,
    ])
      expect(tooManyAttemptsMessage(code)).toBeNull();
  });
});
