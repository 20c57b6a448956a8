"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";

export type NavLink = { href: string; label: string };

const focusRing = "focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600";
const itemClass = `block rounded px-2 py-2 text-fg hover:bg-subtle md:py-1 ${focusRing}`;

/** "/" is current only on itself; any other link also for the pages under it. */
const isCurrent = (href: string, pathname: string) =>
  href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);

/**
 * The main navigation. From md up its links sit in the header; below, a "Menu" button shows them
 * in a panel under the header (over the page, so the header keeps its one line). The panel closes
 * on Escape (focus back on the button), on a click outside it, and on navigation.
 */
export function NavMenu({ links, signOut, email }: { links: NavLink[]; signOut: () => Promise<void>; email: string }) {
  const panelId = useId();
  const pathname = usePathname();
  // Open "at" a path: navigating elsewhere closes the menu without an effect resetting state.
  const [openAt, setOpenAt] = useState<string | null>(null);
  const open = openAt === pathname;
  const navRef = useRef<HTMLElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpenAt(null);
      buttonRef.current?.focus();
    };
    const onPointerDown = (event: PointerEvent) => {
      if (!navRef.current?.contains(event.target as Node)) setOpenAt(null);
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("pointerdown", onPointerDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("pointerdown", onPointerDown);
    };
  }, [open]);

  const close = () => setOpenAt(null);

  return (
    <nav ref={navRef} aria-label="Main" className="shrink-0">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpenAt(open ? null : pathname)}
        className={`flex items-center gap-2 rounded border border-field px-3 py-1.5 font-medium text-fg hover:bg-subtle md:hidden ${focusRing}`}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="h-4 w-4"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          {open ? <path d="M5 5l10 10M15 5L5 15" /> : <path d="M3 5h14M3 10h14M3 15h14" />}
        </svg>
        Menu
      </button>
      <div
        id={panelId}
        className={`${open ? "flex" : "hidden"} absolute inset-x-0 top-full z-20 flex-col gap-1 border-b border-line bg-surface px-4 py-3 shadow-md md:static md:flex md:flex-row md:items-center md:gap-2 md:border-0 md:p-0 md:shadow-none`}
      >
        <ul className="flex flex-col gap-1 md:flex-row md:items-center md:gap-2">
          {links.map((link) => {
            const current = isCurrent(link.href, pathname);
            return (
              <li key={link.href}>
                <Link
                  href={link.href}
                  aria-current={current ? "page" : undefined}
                  onClick={close}
                  // The current page: bold and underlined, not told by colour alone.
                  className={`${itemClass} ${current ? "font-semibold underline decoration-2 underline-offset-4" : ""}`}
                >
                  {link.label}
                </Link>
              </li>
            );
          })}
        </ul>
        <form action={signOut} className="border-t border-line pt-2 md:border-0 md:pt-0">
          {/* Who is signed in: in the menu on a phone, the button's tooltip on a wide screen. */}
          <p className="px-2 pb-1 text-xs break-all text-muted md:hidden">Signed in as {email}</p>
          <button type="submit" className={`${itemClass} w-full text-left md:w-auto`} title={email}>
            Sign out
          </button>
        </form>
      </div>
    </nav>
  );
}
