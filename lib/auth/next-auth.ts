import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { verifyCredentials } from "@/lib/accounts/users";
import { env } from "@/lib/env";

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
      async authorize(credentials) {
        const user = await verifyCredentials(String(credentials?.email ?? ""), String(credentials?.password ?? ""));
        return user ? { id: user.id, email: user.email } : null;
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
