import type { Metadata } from "next";
import type { ReactNode } from "react";
import { signOut } from "@/lib/auth/next-auth";
import { currentPrincipal } from "@/lib/auth/session";
import { Nav } from "@/components/nav";
import "./globals.css";

export const metadata: Metadata = { title: "Tiered Image Hosting", description: "Upload images; thumbnails by plan." };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const principal = await currentPrincipal();
  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/sign-in" });
  }
  return (
    <html lang="en">
      <body className="min-h-screen bg-canvas text-fg antialiased">
        <Nav principal={principal} signOut={signOutAction} />
        <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
