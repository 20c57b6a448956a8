import { ForbiddenPage } from "@/components/forbidden-page";

/** forbidden() (requireStaff, lib/auth/session.ts) renders this with status 403. */
export default function Forbidden() {
  return <ForbiddenPage />;
}
