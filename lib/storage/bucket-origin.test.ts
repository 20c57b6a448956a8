import { describe, expect, it } from "vitest";
import { bucketOrigin } from "./bucket-origin";

describe("bucketOrigin", () => {
  it("is AWS's virtual-hosted regional host without an endpoint", () => {
    expect(bucketOrigin({ bucket: "media", region: "eu-west-1" })).toBe("https://media.s3.eu-west-1.amazonaws.com");
  });

  it("is the endpoint's origin with path-style addressing, the public endpoint when given", () => {
    const s3 = { bucket: "media", region: "us-east-1", endpoint: "http://minio:9000/", forcePathStyle: true };
    expect(bucketOrigin(s3)).toBe("http://minio:9000");
    expect(bucketOrigin({ ...s3, publicEndpoint: "https://files.example.com" })).toBe("https://files.example.com");
  });

  it("puts the bucket in the host for virtual-hosted addressing", () => {
    expect(bucketOrigin({ bucket: "media", region: "auto", endpoint: "https://acct.r2.cloudflarestorage.com" })).toBe(
      "https://media.acct.r2.cloudflarestorage.com",
    );
  });
});
