import type { ReactNode } from "react";

/**
 * Shared look of the staff pages: the slate palette and focus rings of the rest of the app. The ring is
 * sky-600, not sky-500: against white sky-500 is 2.8:1, under the 3:1 a focus indicator needs.
 * Disabled buttons change colour instead of fading, so their text keeps AA contrast too.
 */
export const focusRing =
  "focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-offset-1";
export const inputClass = `rounded border border-field bg-surface px-3 py-2 text-sm font-normal text-fg ${focusRing} aria-[invalid=true]:border-danger`;
export const smallInputClass = `rounded border border-field bg-surface px-2 py-1 text-sm text-fg ${focusRing} aria-[invalid=true]:border-danger`;
export const checkboxClass = `h-4 w-4 rounded border-field accent-sky-700 ${focusRing}`;
export const primaryButton = `rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:cursor-wait disabled:bg-slate-600 ${focusRing}`;
const disabledOutline = "disabled:cursor-wait disabled:border-line disabled:bg-canvas disabled:text-muted";
export const secondaryButton = `whitespace-nowrap rounded border border-field bg-surface px-2 py-1 text-sm font-medium text-fg hover:bg-subtle ${disabledOutline} ${focusRing}`;
export const dangerButton = `whitespace-nowrap rounded border border-danger-line bg-surface px-2 py-1 text-sm font-medium text-danger hover:bg-danger-subtle hover:text-danger-strong ${disabledOutline} ${focusRing}`;

const cellClass = "px-3 py-2 align-top";
const headerCellClass = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-muted";

/*
 * Under the sm breakpoint a table becomes stacked cards: each row a card, its row header the card's
 * title, every other cell a "label: value" line (the label is CardCell's, the column header stays
 * for screen readers, visually hidden). Changing a table's `display` can drop its semantics in some
 * browsers, so the markup states the table roles explicitly (role="table", "row", "cell"...).
 */
export const cardTableWrapper = "sm:overflow-x-auto sm:rounded sm:border sm:border-line sm:bg-surface";
export const cardTable = "w-full border-collapse text-sm max-sm:block";
export const cardTableHead = "border-b border-line bg-canvas max-sm:sr-only";
export const cardTableBody = "divide-y divide-line max-sm:flex max-sm:flex-col max-sm:gap-3 max-sm:divide-y-0";
/** A row; its background (the card's) is the caller's: white, or slate-50 for a dimmed row. */
export const cardRow =
  "max-sm:flex max-sm:flex-col max-sm:gap-2 max-sm:rounded max-sm:border max-sm:border-line max-sm:p-3";
/** The row header: in a card, its title line. */
export const cardTitleCell = `${cellClass} text-left font-medium max-sm:block max-sm:p-0 max-sm:text-base`;

/**
 * A table cell that, in a card, shows its column's label before the value; a value too wide for the
 * rest of the line goes under the label. The label is aria-hidden: the column header already names
 * the cell for assistive technology.
 */
export function CardCell({
  label,
  className = "",
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <td
      role="cell"
      className={`${cellClass} ${className} max-sm:flex max-sm:flex-wrap max-sm:items-baseline max-sm:gap-x-3 max-sm:gap-y-1 max-sm:p-0 max-sm:text-left`}
    >
      <span
        aria-hidden="true"
        className="w-24 shrink-0 text-xs font-semibold uppercase tracking-wide text-muted sm:hidden"
      >
        {label}
      </span>
      <div className="min-w-0 max-w-full">{children}</div>
    </td>
  );
}

/** A staff table's header row; the `numeric` column is right-aligned like its cells. */
export function HeaderRow({ columns, numeric }: { columns: readonly string[]; numeric: string }) {
  return (
    <tr role="row">
      {columns.map((column) => (
        <th
          key={column}
          scope="col"
          role="columnheader"
          className={column === numeric ? `${headerCellClass} text-right` : headerCellClass}
        >
          {column}
        </th>
      ))}
    </tr>
  );
}

/** An on/off state, told by its word and a mark (not by colour alone). */
export function Badge({ on, onText, offText }: { on: boolean; onText: string; offText: string }) {
  return (
    <span
      className={`inline-flex items-center gap-1 rounded px-2 py-0.5 text-xs font-medium ${on ? "bg-success-subtle text-success" : "bg-subtle text-fg-soft"}`}
    >
      <span aria-hidden="true">{on ? "✓" : "–"}</span>
      {on ? onText : offText}
    </span>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="text-sm font-normal text-danger">
      {message}
    </p>
  );
}

export function Alert({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="rounded bg-danger-subtle p-3 text-sm text-danger-strong">
      {children}
    </p>
  );
}

/** A live region that is always present, so screen readers announce what appears in it. */
export function Status({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="min-h-5 text-sm text-success">
      {children}
    </p>
  );
}
