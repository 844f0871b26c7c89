// /login: sign in with e-mail and password. The session is the HttpOnly cookie
// set by POST /auth/login (see auth.tsx).
import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import type { User } from "../api/types";
import { meKey, useAuth } from "../auth";
import { TextField } from "../components/Field";
import { Loading } from "../components/States";
import "./pages.css";

// Only same-site paths, so ?next= cannot send people to another site.
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next.startsWith("/login")) return "/";
  return next;
}

// A full page load, the fallback after sign-in (see below). An object so tests can stub it.
export const hardNavigation = {
  go(url: string) {
    window.location.assign(url);
  },
};

function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return "Wrong email or password.";
    if (error.status === 429) return "Too many failed sign-in attempts. Please wait a few minutes, then try again.";
    if (error.status === 422 || error.status === 400) return "Enter your email and password.";
    return error.message || "Sign-in failed. Please try again.";
  }
  return "Could not reach opsdesk. Check your connection and try again.";
}

export default function SignIn() {
  const { user, loading, signIn } = useAuth();
  const [search] = useSearchParams();
  const next = safeNext(search.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [signedIn, setSignedIn] = useState(false);

  // Who is signed in according to the query cache, and whether the auth
  // context agrees. They can disagree: auth.tsx's signIn()/signOut() call
  // client.clear(), which detaches AuthProvider's /me observer, so its `user`
  // goes stale until AuthProvider happens to re-render (after sign-out it still
  // shows the old user; after sign-in it still shows nobody).
  const client = useQueryClient();
  const cachedMe = client.getQueryData<User | null>(meKey);
  const current = cachedMe === undefined ? user : cachedMe;
  const inSync = (user?.id ?? null) === (current?.id ?? null);

  // Signed in but the context has not caught up: start the app afresh with a
  // full load (the session cookie is set), rather than route into pages that
  // would see the stale user.
  useEffect(() => {
    if (!signedIn || inSync) return;
    const timer = window.setTimeout(() => hardNavigation.go(next), 100);
    return () => window.clearTimeout(timer);
  }, [signedIn, inSync, next]);

  if (loading) return <Loading />;
  if (current && inSync) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      setSignedIn(true);
    } catch (err) {
      setError(err);
      setPassword("");
      setBusy(false);
    }
  };

  return (
    <div className="signin-page">
      <form className="signin-card" onSubmit={submit} noValidate aria-labelledby="signin-title">
        <div className="signin-brand">opsdesk</div>
        <h1 id="signin-title">Sign in</h1>
        {error != null && (
          <div className="state state-error" role="alert" data-testid="signin-error">
            {describe(error)}
          </div>
        )}
        <TextField
          id="signin-email"
          label="Email"
          type="email"
          inputMode="email"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          value={email}
          onChange={setEmail}
        />
        <TextField id="signin-password" label="Password" type="password" autoComplete="current-password" value={password} onChange={setPassword} />
        <button type="submit" className="primary signin-submit" disabled={busy || !email || !password}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
