// /admin/users: everyone who can sign in. Admins create and change users; leads
// may look but not touch (the server answers 403 anyway).
import { useState } from "react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, get, patch, post } from "../api/client";
import { keys } from "../api/keys";
import type { Page, Role, User } from "../api/types";
import { useAuth } from "../auth";
import { SelectField, TextField } from "../components/Field";
import { ListTable } from "../components/Table";
import { Empty, ErrorBanner, FieldError, ListStates, LoadMore } from "../components/States";
import { absoluteTime } from "../components/format";
import { CreateForm } from "./CreateForm";
import { asFieldError } from "./shared";
import "./admin.css";

const ROLES: Role[] = ["requester", "agent", "lead", "admin"];
const roleLabel = (r: Role) => r.charAt(0).toUpperCase() + r.slice(1);
const GROUP_HELP = "One word: letters, digits, “-”, “_” and “.”; SLA policies may match on it.";

function RoleOptions() {
  return ROLES.map((r) => (
    <option key={r} value={r}>
      {roleLabel(r)}
    </option>
  ));
}

interface NewUserBody {
  email: string;
  display_name: string;
  role: Role;
  password?: string;
  time_zone?: string;
  group?: string;
}

interface UserChange {
  role?: Role;
  is_active?: boolean;
  group?: string | null; // null: no group
  kb_editor?: boolean;
  senior?: boolean;
}

function NewUserForm() {
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("requester");
  const [password, setPassword] = useState("");
  const [timeZone, setTimeZone] = useState("");
  const [group, setGroup] = useState("");
  const [created, setCreated] = useState<User | null>(null);

  const create = useMutation({
    mutationFn: (body: NewUserBody) => post<User>("/users", body),
    onSuccess: (user) => {
      setCreated(user);
      setEmail("");
      setDisplayName("");
      setPassword("");
      setTimeZone("");
      setGroup("");
      client.invalidateQueries({ queryKey: keys.users });
    },
  });
  const error = asFieldError(create.error, "email");

  const submit = () => {
    setCreated(null);
    const body: NewUserBody = { email: email.trim(), display_name: displayName.trim(), role };
    if (password) body.password = password;
    if (timeZone.trim()) body.time_zone = timeZone.trim();
    if (group.trim()) body.group = group.trim();
    create.mutate(body);
  };

  return (
    <CreateForm
      id="new-user"
      title="New user"
      submitLabel="Create user"
      pending={create.isPending}
      error={error}
      onSubmit={submit}
      notice={
        created && (
          <div className="admin-ok" role="status">
            Created {created.display_name} ({created.email}).
          </div>
        )
      }
    >
      <TextField id="user-email" label="Email" type="email" autoComplete="off" value={email} onChange={setEmail} error={error} field="email" />
      <TextField id="user-name" label="Display name" maxLength={100} value={displayName} onChange={setDisplayName} error={error} field="display_name" />
      <SelectField id="user-role" label="Role" value={role} onChange={(v) => setRole(v as Role)} error={error} field="role">
        <RoleOptions />
      </SelectField>
      <TextField
        id="user-password"
        label="Initial password (optional)"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        error={error}
        field="password"
        help="At least 8 characters. Leave empty if the user signs in another way."
      />
      <TextField id="user-tz" label="Time zone (optional)" placeholder="UTC" value={timeZone} onChange={setTimeZone} error={error} field="time_zone" />
      <TextField
        id="user-group"
        label="Group (optional)"
        placeholder="e.g. finance"
        maxLength={64}
        value={group}
        onChange={setGroup}
        error={error}
        field="group"
        help={GROUP_HELP}
      />
    </CreateForm>
  );
}

function UserRow({ user, canEdit, isSelf }: { user: User; canEdit: boolean; isSelf: boolean }) {
  const client = useQueryClient();
  // The group as typed; null: not being edited (shows the saved one).
  const [groupDraft, setGroupDraft] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (body: UserChange) => patch<User>(`/users/${user.id}`, body),
    onSettled: () => client.invalidateQueries({ queryKey: keys.users }),
  });
  const disabled = !canEdit || change.isPending;
  const err = change.error;
  // fields.group shows under the group input; anything else by the buttons.
  const groupError = err instanceof ApiError && !!err.fields.group;
  const fieldMessage = err instanceof ApiError ? Object.values(err.fields)[0] : undefined;
  const groupValue = groupDraft ?? user.group ?? "";
  const groupChanged = groupDraft !== null && groupDraft.trim() !== (user.group ?? "");
  const groupId = `user-${user.id}-group`;

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
          <RoleOptions />
        </select>
        {user.role === "agent" && (
          <label className="admin-small admin-kb-editor">
            <input
              type="checkbox"
              checked={!!user.kb_editor}
              disabled={disabled}
              onChange={(e) => change.mutate({ kb_editor: e.target.checked })}
            />{" "}
            KB editor
          </label>
        )}
        {user.role === "agent" && (
          <label className="admin-small admin-kb-editor">
            <input
              type="checkbox"
              checked={!!user.senior}
              disabled={disabled}
              onChange={(e) => change.mutate({ senior: e.target.checked })}
            />{" "}
            Senior (L2)
          </label>
        )}
      </td>
      <td>
        <form
          className="admin-inline"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (disabled || !groupChanged) return;
            change.mutate({ group: groupValue.trim() || null }, { onSuccess: () => setGroupDraft(null) });
          }}
        >
          <label htmlFor={groupId} className="visually-hidden">
            Group of {user.display_name}
          </label>
          <input
            id={groupId}
            value={groupValue}
            placeholder="none"
            maxLength={64}
            disabled={!canEdit}
            aria-invalid={groupError || undefined}
            onChange={(e) => setGroupDraft(e.target.value)}
          />
          {canEdit && (
            <button type="submit" disabled={disabled || !groupChanged} aria-label={`Save group of ${user.display_name}`}>
              Save
            </button>
          )}
        </form>
        <FieldError error={err} field="group" />
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
        {err && !groupError && (
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
      <ListStates pending={users.isPending} items={users.data ? list : undefined} error={users.error} empty={<Empty title="No users yet" />}>
        {(list) => (
          <>
            <ListTable
              className="admin-table"
              head={
                <>
                  <th>Name</th>
                  <th>Role</th>
                  <th>Group</th>
                  <th>Status</th>
                  <th className="admin-hide-narrow">Time zone</th>
                  <th className="admin-hide-narrow">Created</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </>
              }
            >
              {list.map((u) => (
                <UserRow key={u.id} user={u} canEdit={isAdmin} isSelf={u.id === me?.id} />
              ))}
            </ListTable>
            {users.isError && <ErrorBanner error={users.error} />}
            <LoadMore query={users} className="admin-more" />
          </>
        )}
      </ListStates>
    </div>
  );
}
