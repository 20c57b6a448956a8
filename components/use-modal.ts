"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * Shows a `<dialog>` as a modal for as long as the component is mounted. `showModal()` puts it in
 * the top layer and makes the rest of the page inert, so Tab and clicks cannot reach what is
 * behind it (the focus trap is the browser's own). Esc calls `onCancel` instead of closing the
 * element, so the caller's state stays the one truth; focus goes back where it was on unmount.
 */
export function useModal(
  dialog: RefObject<HTMLDialogElement | null>,
  onCancel: () => void,
  /** What gets focus first; the browser's default (the first focusable element) otherwise. */
  initialFocus?: (dialog: HTMLDialogElement) => HTMLElement | null,
) {
  // The latest callbacks, so the effect runs once per dialog, not on every render (it moves focus).
  const latest = useRef({ onCancel, initialFocus });
  useEffect(() => {
    latest.current = { onCancel, initialFocus };
  });

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    const before = document.activeElement as HTMLElement | null;
    const cancel = (event: Event) => {
      event.preventDefault();
      latest.current.onCancel();
    };
    // Chromium closes a dialog without a cancel event when Esc repeats with no user activation
    // between: the caller is told all the same. A dialog open again by the time the event
    // arrives was closed by an earlier cleanup (StrictMode runs effects twice): nothing to report.
    const closed = () => {
      if (!element.open) latest.current.onCancel();
    };
    element.addEventListener("cancel", cancel);
    element.addEventListener("close", closed);
    if (!element.open) element.showModal();
    latest.current.initialFocus?.(element)?.focus();
    return () => {
      element.removeEventListener("cancel", cancel);
      element.removeEventListener("close", closed);
      if (element.open) element.close();
      before?.focus?.();
    };
  }, [dialog]);
}
