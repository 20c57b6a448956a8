import type { ReactNode } from "react";

/** Shared look of the staff pages: the slate palette and focus rings of the rest of the app. */
export const focusRing =
  "focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-1";
export const inputClass = `rounded border border-slate-300 bg-white px-3 py-2 text-sm font-normal text-slate-900 ${focusRing} aria-[invalid=true]:border-red-600`;
export const smallInputClass = `rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 ${focusRing} aria-[invalid=true]:border-red-600`;
export const checkboxClass = `h-4 w-4 rounded border-slate-300 accent-slate-900 ${focusRing}`;
export const primaryButton = `rounded bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700 disabled:cursor-wait disabled:opacity-60 ${focusRing}`;
export const secondaryButton = `whitespace-nowrap rounded border border-slate-300 bg-white px-2 py-1 text-sm font-medium text-slate-800 hover:bg-slate-100 disabled:cursor-wait disabled:opacity-60 ${focusRing}`;
export const dangerButton = `whitespace-nowrap rounded border border-red-300 bg-white px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 disabled:cursor-wait disabled:opacity-60 ${focusRing}`;

export const cellClass = "px-3 py-2 align-top";
const headerCellClass = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";

/** A staff table's header row; the `numeric` column is right-aligned like its cells. */
export function HeaderRow({ columns, numeric }: { columns: readonly string[]; numeric: string }) {
  return (
    <tr>
      {columns.map((column) => (
        <th key={column} scope="col" className={column === numeric ? `${headerCellClass} text-right` : headerCellClass}>
          {column}
        </th>
      ))}
    </tr>
  );
}

export function Badge({ on, onText, offText }: { on: boolean; onText: string; offText: string }) {
  return (
    <span
      className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${on ? "bg-emerald-100 text-emerald-800" : "bg-slate-100 text-slate-600"}`}
    >
      {on ? onText : offText}
    </span>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="text-sm font-normal text-red-700">
      {message}
    </p>
  );
}

export function Alert({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="rounded bg-red-50 p-3 text-sm text-red-800">
      {children}
    </p>
  );
}

/** A live region that is always present, so screen readers announce what appears in it. */
export function Status({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="min-h-5 text-sm text-emerald-700">
      {children}
    </p>
  );
}
