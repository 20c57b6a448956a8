import { ForbiddenPage } from "@/components/forbidden-page";

/**
 * The staff pages call notFound() (through requireStaff, lib/auth/session.ts) for a signed-in person
 * who is not staff, and only then: the response stays a 404, the page says why. Unknown paths under
 * /admin get the app's own 404 (app/not-found.tsx), not this.
 */
export default function AdminNotFound() {
  return <ForbiddenPage />;
}
