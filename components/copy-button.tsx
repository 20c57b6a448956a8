"use client";

import { useState } from "react";

export function CopyButton({ text, label = "Copy link" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <button
      type="button"
      onClick={copy}
      className="rounded border border-line-strong bg-surface px-2 py-1 text-xs font-medium hover:bg-subtle focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
    >
      <span aria-live="polite">{copied ? "Copied" : label}</span>
    </button>
  );
}
