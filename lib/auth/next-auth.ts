import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { TOO_MANY_ATTEMPTS } from "./sign-in-error";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import { verifyCredentialsLimited } from "@/lib/limits/sign-in";

/** Over the sign-in limits (lib/limits/sign-in.ts); `code` (in the sign-in page's URL) says in how many minutes to retry. */
class TooManyAttempts extends CredentialsSignin {
  constructor(minutes: number) {
    super();
    this.code = `${TOO_MANY_ATTEMPTS}${minutes}`;
  }
}

/**
 * E-mail + password sign-in with JWT sessions. The JWT carries only the user id: staff flag,
 * plan and activity are read from the database on every request.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        try {
          const user = await verifyCredentialsLimited(
            clientIp(request.headers),
            String(credentials?.email ?? ""),
            String(credentials?.password ?? ""),
          );
          return user ? { id: user.id, email: user.email } : null;
        } catch (error) {
          if (error instanceof AppError && error.kind === "rate-limited")
            throw new TooManyAttempts(Math.ceil((error.retryAfterSeconds ?? 60) / 60));
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      // Only at sign-in is `user` set: authTime then survives every later refresh of the cookie.
      if (user?.id) {
        token.sub = user.id;
        token.authTime = Date.now();
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return Object.assign(session, { authTime: typeof token.authTime === "number" ? token.authTime : 0 });
    },
  },
}));
