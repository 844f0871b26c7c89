// Who is signed in. The session is the HttpOnly cookie; GET /me tells whether it
// is still good, so a reload keeps the user signed in.
import { createContext, useContext, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, get, post } from "./api/client";
import type { User } from "./api/types";

interface AuthState {
  user: User | null;
  loading: boolean;
  // True after signOut() in this page: pages then send to a plain /login
  // rather than asking to come back after the next sign-in.
  signedOut: boolean;
  signIn: (email: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export const meKey = ["me"] as const;

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [signedOut, setSignedOut] = useState(false);
  const me = useQuery({
    queryKey: meKey,
    queryFn: async () => {
      try {
        return await get<User>("/me");
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
    retry: false,
  });

  const forgetAllButMe = () => client.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });

  const signIn = async (email: string, password: string) => {
    const result = await post<{ user: User }>("/auth/login", { email, password });
    // Drop the previous user's data but keep the /me query observed by the
    // provider, so the new user shows at once.
    forgetAllButMe();
    setSignedOut(false);
    client.setQueryData(meKey, result.user);
    return result.user;
  };
  const signOut = async () => {
    try {
      await post<void>("/auth/logout");
    } finally {
      forgetAllButMe();
      setSignedOut(true);
      client.setQueryData(meKey, null);
    }
  };

  return (
    <AuthContext.Provider value={{ user: me.data ?? null, loading: me.isPending, signedOut, signIn, signOut }}>
      {children}
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}

export function isStaff(user: User | null): boolean {
  return !!user && user.role !== "requester";
}
