import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/lib/auth/next-auth";
import { tooManyAttemptsMessage } from "@/lib/auth/sign-in-error";
import { type SignInState, SignInForm } from "@/components/sign-in-form";

const WRONG_CREDENTIALS = "Wrong e-mail or password, or the account is deactivated.";

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

  async function signInAction(previous: SignInState, form: FormData): Promise<SignInState> {
    "use server";
    const email = String(form.get("email") ?? "").slice(0, 254);
    try {
      // On success this throws Next's redirect to `target`, which must propagate (rethrown below).
      await signIn("credentials", { email, password: form.get("password"), redirectTo: target });
    } catch (e) {
      if (e instanceof AuthError) {
        // The limits' code (lib/auth/next-auth.ts) says how long to wait.
        const limited = e instanceof CredentialsSignin ? tooManyAttemptsMessage(e.code) : null;
        return { error: limited ?? WRONG_CREDENTIALS, email, attempt: previous.attempt + 1 };
      }
      throw e;
    }
    return { error: null, email, attempt: previous.attempt + 1 };
  }

  // Auth.js itself may still send someone here with ?error= (and the limits' ?code=).
  const initial: SignInState = {
    error: error ? (tooManyAttemptsMessage(code) ?? WRONG_CREDENTIALS) : null,
    email: "",
    attempt: 0,
  };

  return (
    <div className="mx-auto mt-16 flex max-w-sm flex-col gap-6">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <SignInForm action={signInAction} initial={initial} />
    </div>
  );
}
