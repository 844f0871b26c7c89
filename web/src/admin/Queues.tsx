// /admin/queues: queues (shown to requesters as "Component") and the team that
// owns each.
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { post } from "../api/client";
import { keys } from "../api/keys";
import type { Queue } from "../api/types";
import { Empty, ErrorBanner, FieldError, FormError, Loading } from "../components/States";
import { useQueues } from "../portal/queues";
import { asFieldError, invalid, useTeams } from "./shared";
import "./admin.css";

interface NewQueueBody {
  name: string;
  team_id?: number;
  description?: string;
}

export default function Queues() {
  const client = useQueryClient();
  const queues = useQueues();
  const teams = useTeams();
  const [name, setName] = useState("");
  const [teamId, setTeamId] = useState("");
  const [description, setDescription] = useState("");

  const create = useMutation({
    mutationFn: (body: NewQueueBody) => post<Queue>("/queues", body),
    onSuccess: () => {
      setName("");
      setDescription("");
      client.invalidateQueries({ queryKey: keys.queues });
    },
  });
  const error = asFieldError(create.error, "name");
  const teamName = (id: number | null) =>
    id == null ? "—" : (teams.data?.find((t) => t.id === id)?.name ?? `Team #${id}`);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    const body: NewQueueBody = { name: name.trim() };
    if (teamId) body.team_id = Number(teamId);
    if (description.trim()) body.description = description.trim();
    create.mutate(body);
  };

  return (
    <div className="admin">
      <h1>Queues</h1>
      <form className="panel admin-form" onSubmit={submit} noValidate aria-labelledby="new-queue-title">
        <h2 id="new-queue-title">New queue</h2>
        <FormError error={error} />
        <div className="admin-form-grid">
          <div className="field">
            <label htmlFor="queue-name">Name</label>
            <input
              id="queue-name"
              value={name}
              placeholder="e.g. networking"
              aria-invalid={invalid(error, "name")}
              aria-describedby="queue-name-help"
              onChange={(e) => setName(e.target.value)}
            />
            <div id="queue-name-help" className="muted field-help">
              Lower-case letters, digits, “-”, “_” and “.”; requesters see it as the component
            </div>
            <FieldError error={error} field="name" />
          </div>
          <div className="field">
            <label htmlFor="queue-team">Owning team</label>
            <select
              id="queue-team"
              value={teamId}
              aria-invalid={invalid(error, "team_id")}
              onChange={(e) => setTeamId(e.target.value)}
            >
              <option value="">No team</option>
              {teams.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <FieldError error={error} field="team_id" />
          </div>
          <div className="field admin-wide">
            <label htmlFor="queue-description">Description</label>
            <input
              id="queue-description"
              value={description}
              placeholder="Shown to requesters when they pick a component"
              aria-invalid={invalid(error, "description")}
              onChange={(e) => setDescription(e.target.value)}
            />
            <FieldError error={error} field="description" />
          </div>
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create queue"}
        </button>
      </form>

      <h2>All queues</h2>
      {teams.isError && <ErrorBanner error={teams.error} />}
      {queues.isPending ? (
        <Loading />
      ) : !queues.data ? (
        <ErrorBanner error={queues.error} />
      ) : queues.data.length === 0 ? (
        <Empty title="No queues yet">
          <p className="muted">Create a queue above so requesters can pick a component.</p>
        </Empty>
      ) : (
        <div className="table-scroll">
          <table className="list admin-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Owning team</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {queues.data.map((q) => (
                <tr key={q.id} data-testid="queue-row" data-queue-id={q.id}>
                  <td className="admin-strong">{q.name}</td>
                  <td>{teamName(q.team_id)}</td>
                  <td className="muted">{q.description || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
