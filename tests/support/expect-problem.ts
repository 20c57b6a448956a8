import { expect } from "vitest";

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Record<string, string[]>;
};

/** An RFC 9457 answer with this status, a title and a real detail; returns its body. */
export async function expectProblem(res: Response, status: number): Promise<ProblemBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = JSON.parse(text) as ProblemBody;
  expect(body.status).toBe(status);
  expect(body.title).toEqual(expect.any(String));
  expect(body.detail.length).toBeGreaterThan(5);
  return body;
}
