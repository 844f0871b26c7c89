// /admin/teams: teams of staff that own queues. Leads and admins create teams
// and add or remove members.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, post } from "../api/client";
import { keys } from "../api/keys";
import type { Team, User } from "../api/types";
import { TextField } from "../components/Field";
import { Empty, ErrorBanner, FieldError, FormError, ListStates } from "../components/States";
import { CreateForm } from "./CreateForm";
import { asFieldError, useAllUsers, useTeams } from "./shared";
import "./admin.css";

function NewTeamForm() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation({
    mutationFn: (body: { name: string; description?: string }) => post<Team>("/teams", body),
    onSuccess: () => {
      setName("");
      setDescription("");
      client.invalidateQueries({ queryKey: keys.teams });
    },
  });
  const error = asFieldError(create.error, "name");

  const submit = () => {
    const body: { name: string; description?: string } = { name: name.trim() };
    if (description.trim()) body.description = description.trim();
    create.mutate(body);
  };

  return (
    <CreateForm id="new-team" title="New team" submitLabel="Create team" pending={create.isPending} error={error} onSubmit={submit}>
      <TextField
        id="team-name"
        label="Name"
        placeholder="e.g. night-shift"
        value={name}
        onChange={setName}
        error={error}
        field="name"
        help="Lower-case letters, digits, “-”, “_” and “.”"
      />
      <TextField
        id="team-description"
        label="Description"
        className="field admin-wide"
        value={description}
        onChange={setDescription}
        error={error}
        field="description"
      />
    </CreateForm>
  );
}

function TeamCard({ team, staff, byId }: { team: Team; staff: User[]; byId: Map<number, User> }) {
  const client = useQueryClient();
  const [pick, setPick] = useState("");
  const membership = useMutation({
    mutationFn: ({ userId, add }: { userId: number; add: boolean }) =>
      api<Team>(add ? "PUT" : "DELETE", `/teams/${team.id}/members/${userId}`),
    onSuccess: (updated) => {
      setPick("");
      if (updated && Array.isArray(updated.member_ids)) {
        client.setQueryData<Team[]>(keys.teams, (old) => old?.map((t) => (t.id === updated.id ? updated : t)));
      }
      client.invalidateQueries({ queryKey: keys.teams });
    },
  });
  const memberFieldError = membership.error instanceof ApiError && !!membership.error.fields.user_id;
  const candidates = staff.filter((u) => !team.member_ids.includes(u.id));
  const selectId = `team-${team.id}-add`;

  return (
    <section className="panel team-card" data-testid="team" data-team-id={team.id} aria-labelledby={`team-${team.id}-name`}>
      <h2 id={`team-${team.id}-name`}>{team.name}</h2>
      {team.description && <p className="muted">{team.description}</p>}
      {team.member_ids.length === 0 ? (
        <p className="muted">No members yet.</p>
      ) : (
        <ul className="team-members" aria-label={`Members of ${team.name}`}>
          {team.member_ids.map((id) => {
            const u = byId.get(id);
            const label = u ? u.display_name : `User #${id}`;
            return (
              <li key={id} className="team-member">
                <span>
                  {label}
                  {u && <span className="muted admin-small"> · {u.role}</span>}
                </span>
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove ${label} from ${team.name}`}
                  disabled={membership.isPending}
                  onClick={() => membership.mutate({ userId: id, add: false })}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form
        className="team-add"
        onSubmit={(e) => {
          e.preventDefault();
          if (pick) membership.mutate({ userId: Number(pick), add: true });
        }}
      >
        <label htmlFor={selectId} className="visually-hidden">
          Add a member to {team.name}
        </label>
        <select id={selectId} value={pick} onChange={(e) => setPick(e.target.value)}>
          <option value="">Add a member…</option>
          {candidates.map((u) => (
            <option key={u.id} value={u.id}>
              {u.display_name} ({u.role})
            </option>
          ))}
        </select>
        <button type="submit" disabled={!pick || membership.isPending}>
          Add
        </button>
      </form>
      <FieldError error={membership.error} field="user_id" />
      <FormError error={memberFieldError ? null : membership.error} />
    </section>
  );
}

export default function Teams() {
  const teams = useTeams();
  const users = useAllUsers();
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const staff = (users.data ?? []).filter((u) => u.role !== "requester" && u.is_active);

  return (
    <div className="admin">
      <h1>Teams</h1>
      <NewTeamForm />
      {users.isError && <ErrorBanner error={users.error} />}
      <ListStates
        pending={teams.isPending}
        items={teams.data}
        error={teams.error}
        empty={
          <Empty title="No teams yet">
            <p className="muted">Create a team above, then give it members and queues.</p>
          </Empty>
        }
      >
        {(list) => (
          <div className="team-grid">
            {list.map((t) => (
              <TeamCard key={t.id} team={t} staff={staff} byId={byId} />
            ))}
          </div>
        )}
      </ListStates>
    </div>
  );
}
