import { problemOf, problemResponse } from "@/lib/http/problem";

// Unknown API paths answer in the API's error format, not with the HTML 404 page.
const notFound = async () => problemResponse(problemOf(404, "No such API endpoint."));

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
