import { sharePage } from "@/lib/http/share-page";

// An expiring link's page for people (HTML, not an API operation): anyone holding the link may
// open it until it expires; other methods get Next's own 405.
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }) {
  return sharePage(request, (await params).token);
}
