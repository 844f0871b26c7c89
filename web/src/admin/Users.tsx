// /admin/users: everyone who can sign in. Admins create and change users; leads
// may look but not touch (the server answers 403 anyway).
import { useState, type FormEvent } from "react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, get, patch, post } from "../api/client";
import { keys } from "../api/keys";
import type { Page, Role, User } from "../api/types";
import { useAuth } from "../auth";
import { Empty, ErrorBanner, FieldError, FormError, Loading } from "../components/States";
import { absoluteTime } from "../components/format";
import { asFieldError, invalid } from "./shared";
import "./admin.css";

const ROLES: Role[] = ["requester", "agent", "lead", "admin"];
const roleLabel = (r: Role) => r.charAt(0).toUpperCase() + r.slice(1);

interface NewUserBody {
  email: string;
  display_name: string;
  role: Role;
  password?: string;
  time_zone?: string;
}

function NewUserForm() {
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("requester");
  const [password, setPassword] = useState("");
  const [timeZone, setTimeZone] = useState("");
  const [created, setCreated] = useState<User | null>(null);

  const create = useMutation({
    mutationFn: (body: NewUserBody) => post<User>("/users", body),
    onSuccess: (user) => {
      setCreated(user);
      setEmail("");
      setDisplayName("");
      setPassword("");
      setTimeZone("");
      client.invalidateQueries({ queryKey: keys.users });
    },
  });
  const error = asFieldError(create.error, "email");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    setCreated(null);
    const body: NewUserBody = { email: email.trim(), display_name: displayName.trim(), role };
    if (password) body.password = password;
    if (timeZone.trim()) body.time_zone = timeZone.trim();
    create.mutate(body);
  };

  return (
    <form className="panel admin-form" onSubmit={submit} noValidate aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      <FormError error={error} />
      {created && (
        <div className="admin-ok" role="status">
          Created {created.display_name} ({created.email}).
        </div>
      )}
      <div className="admin-form-grid">
        <div className="field">
          <label htmlFor="user-email">Email</label>
          <input
            id="user-email"
            type="email"
            autoComplete="off"
            value={email}
            aria-invalid={invalid(error, "email")}
            onChange={(e) => setEmail(e.target.value)}
          />
          <FieldError error={error} field="email" />
        </div>
        <div className="field">
          <label htmlFor="user-name">Display name</label>
          <input
            id="user-name"
            value={displayName}
            maxLength={100}
            aria-invalid={invalid(error, "display_name")}
            onChange={(e) => setDisplayName(e.target.value)}
          />
          <FieldError error={error} field="display_name" />
        </div>
        <div className="field">
          <label htmlFor="user-role">Role</label>
          <select id="user-role" value={role} aria-invalid={invalid(error, "role")} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
          <FieldError error={error} field="role" />
        </div>
        <div className="field">
          <label htmlFor="user-password">Initial password (optional)</label>
          <input
            id="user-password"
            type="password"
            autoComplete="new-password"
            value={password}
            aria-invalid={invalid(error, "password")}
            aria-describedby="user-password-help"
            onChange={(e) => setPassword(e.target.value)}
          />
          <div id="user-password-help" className="muted field-help">
            At least 8 characters. Leave empty if the user signs in another way.
          </div>
          <FieldError error={error} field="password" />
        </div>
        <div className="field">
          <label htmlFor="user-tz">Time zone (optional)</label>
          <input
            id="user-tz"
            value={timeZone}
            placeholder="UTC"
            aria-invalid={invalid(error, "time_zone")}
            onChange={(e) => setTimeZone(e.target.value)}
          />
          <FieldError error={error} field="time_zone" />
        </div>
      </div>
      <button type="submit" className="primary" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create user"}
      </button>
    </form>
  );
}

function UserRow({ user, canEdit, isSelf }: { user: User; canEdit: boolean; isSelf: boolean }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: (body: { role?: Role; is_active?: boolean }) => patch<User>(`/users/${user.id}`, body),
    onSettled: () => client.invalidateQueries({ queryKey: keys.users }),
  });
  const disabled = !canEdit || change.isPending;
  const err = change.error;
  const fieldMessage = err instanceof ApiError ? Object.values(err.fields)[0] : undefined;

  return (
    <tr data-testid="user-row" data-user-id={user.id} className={user.is_active ? undefined : "admin-inactive"}>
      <td>
        <div className="admin-strong">{user.display_name}</div>
        <div className="muted admin-small">{user.email}</div>
      </td>
      <td>
        <select
          aria-label={`Role of ${user.display_name}`}
          value={user.role}
          disabled={disabled}
          onChange={(e) => change.mutate({ role: e.target.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      </td>
      <td>{user.is_active ? "Active" : "Deactivated"}</td>
      <td className="admin-hide-narrow">{user.time_zone}</td>
      <td className="admin-hide-narrow">{absoluteTime(user.created_at)}</td>
      <td className="admin-actions">
        <button
          type="button"
          className={user.is_active ? "danger" : undefined}
          disabled={disabled || (isSelf && user.is_active)}
          title={isSelf && user.is_active ? "You cannot deactivate yourself" : undefined}
          onClick={() => change.mutate({ is_active: !user.is_active })}
        >
          {user.is_active ? "Deactivate" : "Reactivate"}
        </button>
        {err && (
          <div className="field-error" role="alert">
            {fieldMessage ?? (err instanceof Error ? err.message : String(err))}
          </div>
        )}
      </td>
    </tr>
  );
}

export default function Users() {
  const { user: me } = useAuth();
  const isAdmin = me?.role === "admin";
  const users = useInfiniteQuery({
    queryKey: [...keys.users, "pages"],
    queryFn: ({ pageParam }) => get<Page<User>>("/users", { limit: 200, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = users.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="admin">
      <h1>Users</h1>
      {!isAdmin && (
        <p className="admin-note" data-testid="admins-only-note">
          Only admins can change users.
        </p>
      )}
      {isAdmin && <NewUserForm />}

      <h2>All users</h2>
      {users.isPending ? (
        <Loading />
      ) : !users.data ? (
        <ErrorBanner error={users.error} />
      ) : list.length === 0 ? (
        <Empty title="No users yet" />
      ) : (
        <>
          <div className="table-scroll">
            <table className="list admin-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Role</th>
                  <th>Status</th>
                  <th className="admin-hide-narrow">Time zone</th>
                  <th className="admin-hide-narrow">Created</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <UserRow key={u.id} user={u} canEdit={isAdmin} isSelf={u.id === me?.id} />
                ))}
              </tbody>
            </table>
          </div>
          {users.isError && <ErrorBanner error={users.error} />}
          {users.hasNextPage && (
            <div className="admin-more">
              <button type="button" onClick={() => users.fetchNextPage()} disabled={users.isFetchingNextPage}>
                {users.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
