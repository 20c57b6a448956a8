import Link from "next/link";
import type { Principal } from "@/lib/accounts/principal";

export function Nav({ principal, signOut }: { principal: Principal | null; signOut: () => Promise<void> }) {
  const link =
    "rounded px-2 py-1 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav
        aria-label="Main"
        className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-2 gap-y-1 px-4 py-3 text-sm"
      >
        <Link href="/" className="mr-auto text-base font-semibold tracking-tight">
          Tiered Image Hosting
        </Link>
        {principal ? (
          <>
            <Link href="/" className={link}>
              Gallery
            </Link>
            <Link href="/account" className={link}>
              Account
            </Link>
            <Link href="/docs" className={link}>
              API docs
            </Link>
            {principal.isStaff && (
              <>
                <Link href="/admin/users" className={link}>
                  Users
                </Link>
                <Link href="/admin/plans" className={link}>
                  Plans
                </Link>
              </>
            )}
            <form action={signOut}>
              <button type="submit" className={`${link} text-slate-600`} title={principal.email}>
                Sign out
              </button>
            </form>
          </>
        ) : (
          <Link href="/sign-in" className={link}>
            Sign in
          </Link>
        )}
      </nav>
    </header>
  );
}
