import Link from "next/link";
import type { ReactNode } from "react";

const linkClass =
  "rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-2";

/** A page in the app's style saying why there is nothing to show: "Page not found", "Staff only"... */
export function StatusPage({ eyebrow, title, children }: { eyebrow: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby="status-title" className="mx-auto mt-12 flex max-w-md flex-col items-start gap-4">
      <p className="text-sm font-semibold tracking-wide text-accent uppercase">{eyebrow}</p>
      <h1 id="status-title" className="text-2xl font-semibold">
        {title}
      </h1>
      <div className="text-fg-soft">{children}</div>
      <Link href="/" className={linkClass}>
        Back to the gallery
      </Link>
    </section>
  );
}

/** What a signed-in member who is not staff sees on the staff pages. */
export function ForbiddenPage() {
  return (
    <StatusPage eyebrow="No access" title="Staff only">
      <p>This page is for staff members. If you need access to it, ask a member of staff.</p>
    </StatusPage>
  );
}
