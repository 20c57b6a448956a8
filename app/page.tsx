import Link from "next/link";
import { auth, signOut } from "@/app/auth";

export default async function Home() {
  const session = await auth();
  return (
    <main className="mx-auto flex min-h-screen max-w-2xl flex-col justify-center gap-4 p-6">
      <h1 className="text-3xl font-semibold">Tiered Image Hosting</h1>
      <p className="text-slate-600">Upload PNG and JPEG images; thumbnails and links depend on your plan.</p>
      {session?.user ? (
        <form
          action={async () => {
            "use server";
            await signOut({ redirectTo: "/" });
          }}
        >
          <p className="mb-2">Signed in as {session.user.email}.</p>
          <button className="rounded border px-3 py-1">Sign out</button>
        </form>
      ) : (
        <Link href="/sign-in" className="text-sky-700 underline">
          Sign in
        </Link>
      )}
    </main>
  );
}
