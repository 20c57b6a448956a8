import { AppError } from "@/lib/errors";

export async function readJson(request: Request): Promise<unknown> {
  if (!/^application\/([a-z.+-]+\+)?json\b/i.test(request.headers.get("content-type") ?? "")) {
    throw new AppError("unsupported-type", "Send a JSON body with Content-Type: application/json.");
  }
  try {
    return await request.json();
  } catch {
    throw new AppError("bad-request", "The request body is not valid JSON.");
  }
}
