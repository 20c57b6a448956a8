import Link from "next/link";
import type { Principal } from "@/lib/accounts/principal";
import { type NavLink, NavMenu } from "@/components/nav-menu";

const focusRing = "focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600";

/** The pages a signed-in person can go to; the staff pages only for staff. */
function linksFor(principal: Principal): NavLink[] {
  const links: NavLink[] = [
    { href: "/", label: "Gallery" },
    { href: "/account", label: "Account" },
    { href: "/docs", label: "API docs" },
  ];
  if (principal.isStaff) links.push({ href: "/admin/users", label: "Users" }, { href: "/admin/plans", label: "Plans" });
  return links;
}

/**
 * The header: the app's name and, for a signed-in person, the main navigation (a menu button on
 * narrow screens, see NavMenu). It stays one line at any width.
 */
export function Nav({ principal, signOut }: { principal: Principal | null; signOut: () => Promise<void> }) {
  return (
    <header className="relative border-b border-line bg-surface">
      <div className="mx-auto flex max-w-6xl items-center gap-2 px-4 py-3 text-sm">
        <Link
          href="/"
          className={`mr-auto min-w-0 truncate rounded text-base font-semibold tracking-tight ${focusRing}`}
        >
          Tiered Image Hosting
        </Link>
        {principal ? (
          <NavMenu links={linksFor(principal)} signOut={signOut} email={principal.email} />
        ) : (
          <Link href="/sign-in" className={`shrink-0 rounded px-2 py-1 hover:bg-subtle ${focusRing}`}>
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}
