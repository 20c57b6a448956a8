import { AuthError, CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/lib/auth/next-auth";
import { tooManyAttemptsMessage } from "@/lib/auth/sign-in-error";

function safeCallback(value: string | undefined): string {
  // Only same-site paths: never bounce a signed-in user to another origin.
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string; code?: string }>;
}) {
  const { callbackUrl, error, code } = await searchParams;
  const target = safeCallback(callbackUrl);
  const limited = tooManyAttemptsMessage(code);

  async function signInAction(form: FormData) {
    "use server";
    try {
      await signIn("credentials", { email: form.get("email"), password: form.get("password"), redirectTo: target });
    } catch (e) {
      if (e instanceof AuthError) {
        // The limits' code (lib/auth/next-auth.ts) rides along, so the page can say how long to wait.
        const limitCode = e instanceof CredentialsSignin && tooManyAttemptsMessage(e.code) ? `&code=${e.code}` : "";
        redirect(`/sign-in?error=1${limitCode}&callbackUrl=${encodeURIComponent(target)}`);
      }
      throw e;
    }
  }

  return (
    <div className="mx-auto mt-16 flex max-w-sm flex-col gap-6">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {error && (
        <p role="alert" className="rounded bg-red-50 p-3 text-sm text-red-800">
          {limited ?? "Wrong e-mail or password, or the account is deactivated."}
        </p>
      )}
      <form action={signInAction} className="flex flex-col gap-4">
        <label className="flex flex-col gap-1 text-sm font-medium">
          E-mail
          <input
            name="email"
            type="email"
            required
            autoComplete="email"
            className="rounded border border-slate-300 px-3 py-2"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Password
          <input
            name="password"
            type="password"
            required
            autoComplete="current-password"
            className="rounded border border-slate-300 px-3 py-2"
          />
        </label>
        <button
          type="submit"
          className="rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        >
          Sign in
        </button>
      </form>
    </div>
  );
}
