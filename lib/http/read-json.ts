import { ApiError } from "./problem";

export async function readJson(request: Request): Promise<unknown> {
  if (!/^application\/([a-z.+-]+\+)?json\b/i.test(request.headers.get("content-type") ?? "")) {
    throw new ApiError(415, "Send a JSON body with Content-Type: application/json.");
  }
  try {
    return await request.json();
  } catch {
    throw new ApiError(400, "The request body is not valid JSON.");
  }
}
