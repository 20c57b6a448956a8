import { describe, expect, it } from "vitest";
import { loggablePath } from "./api-route";

describe("loggablePath", () => {
  it("keeps an expiring link's id but never its signature", () => {
    const logged = loggablePath("http://x/l/5b9620e3-991a-4a80-b09c-85b4e2239937.2RoID3j-yz0kJ4rI2H5daw");
    expect(logged).toBe("/l/5b9620e3-991a-4a80-b09c-85b4e2239937.[redacted]");
    expect(logged).not.toContain("2RoID3j");
  });

  it("leaves other paths as they are and drops query strings", () => {
    expect(loggablePath("http://x/api/v1/images/abc/thumbnails/200?cursor=secret")).toBe(
      "/api/v1/images/abc/thumbnails/200",
    );
  });
});
