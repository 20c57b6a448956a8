import type { Metadata } from "next";
import Link from "next/link";
import { requireStaff } from "@/lib/auth/session";
import { CreateUserForm } from "@/components/admin/create-user-form";
import {
  Badge,
  CardCell,
  cardRow,
  cardTable,
  cardTableBody,
  cardTableHead,
  cardTableWrapper,
  cardTitleCell,
  focusRing,
  HeaderRow,
  inputClass,
  primaryButton,
} from "@/components/admin/ui";
import { ResetPasswordControl, UserAccessControls, UserPlanControl } from "@/components/admin/user-row-controls";
import { listUsers } from "@/lib/admin/manage-users";
import { listPlansWithUserCounts } from "@/lib/admin/manage-plans";
import { UsageBar } from "@/components/gallery/usage-bar";

export const metadata: Metadata = { title: "Users · Tiered Image Hosting" };

const COLUMNS = ["E-mail", "Plan", "Staff", "Active", "Images", "Storage", "Created", "Actions"] as const;

export default async function UsersPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const actor = await requireStaff("/admin/users");
  const raw = (await searchParams).q;
  const q = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, 254) ?? "";
  const [{ users, hasMore }, plans] = await Promise.all([
    listUsers(actor, { q: q || undefined }),
    listPlansWithUserCounts(actor),
  ]);
  const planOptions = plans.map((p) => ({ id: p.id, name: p.name }));
  const defaultPlanId = plans.find((p) => p.isDefault)?.id ?? planOptions[0]?.id ?? "";

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Users</h1>

      <CreateUserForm plans={planOptions} defaultPlanId={defaultPlanId} />

      <section aria-labelledby="users-list" className="flex flex-col gap-3">
        <h2 id="users-list" className="sr-only">
          All users
        </h2>
        <form role="search" method="get" action="/admin/users" className="flex flex-wrap items-end gap-2">
          <div className="flex flex-col gap-1">
            <label htmlFor="user-search" className="text-sm font-medium">
              Search by e-mail
            </label>
            <input
              id="user-search"
              name="q"
              type="search"
              defaultValue={q}
              placeholder="part of an e-mail"
              className={`${inputClass} w-72 max-w-full`}
            />
          </div>
          <button type="submit" className={primaryButton}>
            Search
          </button>
          {q && (
            <Link
              href="/admin/users"
              className={`rounded px-2 py-2 text-sm text-fg-soft underline hover:text-fg hover:decoration-2 ${focusRing}`}
            >
              Clear search
            </Link>
          )}
        </form>

        <p className="text-sm text-muted" aria-live="polite">
          {users.length === 0
            ? q
              ? `No users match “${q}”.`
              : "No users yet."
            : `${users.length}${hasMore ? "+" : ""} ${users.length === 1 ? "user" : "users"}${q ? ` matching “${q}”` : ""}${hasMore ? " — showing the newest; search to narrow down." : "."}`}
        </p>

        {users.length > 0 && (
          <div className={cardTableWrapper}>
            {/* A card per user under sm (see cardTable); the full table scrolls sideways above it. */}
            <table role="table" className={`${cardTable} sm:min-w-[72rem]`}>
              <caption className="sr-only">Users{q ? ` matching “${q}”` : ""}, newest first</caption>
              <thead role="rowgroup" className={cardTableHead}>
                <HeaderRow columns={COLUMNS} numeric="Images" />
              </thead>
              <tbody role="rowgroup" className={cardTableBody}>
                {users.map((user) => (
                  <tr
                    key={user.id}
                    role="row"
                    className={`${cardRow} ${user.isActive ? "bg-surface" : "bg-canvas text-fg-soft"}`}
                  >
                    <th scope="row" role="rowheader" className={`${cardTitleCell} break-all`}>
                      {user.email}
                      {user.id === actor.userId && <span className="ml-1 text-xs font-normal text-muted">(you)</span>}
                    </th>
                    <CardCell label="Plan">
                      <UserPlanControl userId={user.id} email={user.email} planId={user.planId} plans={planOptions} />
                    </CardCell>
                    <CardCell label="Staff">
                      <Badge on={user.isStaff} onText="Staff" offText="No" />
                    </CardCell>
                    <CardCell label="Active">
                      <Badge on={user.isActive} onText="Active" offText="Inactive" />
                    </CardCell>
                    <CardCell label="Images" className="text-right tabular-nums">
                      {user.imageCount}
                    </CardCell>
                    <CardCell label="Storage">
                      <UsageBar
                        bytes={user.bytesUsed}
                        quotaBytes={user.quotaBytes}
                        label={`Storage used by ${user.email}`}
                        compact
                      />
                    </CardCell>
                    <CardCell label="Created" className="whitespace-nowrap">
                      <time dateTime={user.createdAt.toISOString()} title={user.createdAt.toISOString()}>
                        {user.createdAt.toISOString().slice(0, 10)}
                      </time>
                    </CardCell>
                    <CardCell label="Actions">
                      <div className="flex flex-col gap-2">
                        <UserAccessControls
                          userId={user.id}
                          email={user.email}
                          isActive={user.isActive}
                          isStaff={user.isStaff}
                          isSelf={user.id === actor.userId}
                        />
                        <ResetPasswordControl userId={user.id} email={user.email} />
                      </div>
                    </CardCell>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
