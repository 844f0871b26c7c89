// /admin/queues: queues (shown to requesters as "Component") and the team that
// owns each.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { post } from "../api/client";
import { keys } from "../api/keys";
import type { Queue } from "../api/types";
import { SelectField, TextField } from "../components/Field";
import { ListTable } from "../components/Table";
import { Empty, ErrorBanner, ListStates } from "../components/States";
import { useQueues } from "../portal/queues";
import { CreateForm } from "./CreateForm";
import { asFieldError, useTeams } from "./shared";
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

  const submit = () => {
    const body: NewQueueBody = { name: name.trim() };
    if (teamId) body.team_id = Number(teamId);
    if (description.trim()) body.description = description.trim();
    create.mutate(body);
  };

  return (
    <div className="admin">
      <h1>Queues</h1>
      <CreateForm id="new-queue" title="New queue" submitLabel="Create queue" pending={create.isPending} error={error} onSubmit={submit}>
        <TextField
          id="queue-name"
          label="Name"
          placeholder="e.g. networking"
          value={name}
          onChange={setName}
          error={error}
          field="name"
          help="Lower-case letters, digits, “-”, “_” and “.”; requesters see it as the component"
        />
        <SelectField id="queue-team" label="Owning team" value={teamId} onChange={setTeamId} error={error} field="team_id">
          <option value="">No team</option>
          {teams.data?.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <TextField
          id="queue-description"
          label="Description"
          className="field admin-wide"
          placeholder="Shown to requesters when they pick a component"
          value={description}
          onChange={setDescription}
          error={error}
          field="description"
        />
      </CreateForm>

      <h2>All queues</h2>
      {teams.isError && <ErrorBanner error={teams.error} />}
      <ListStates
        pending={queues.isPending}
        items={queues.data}
        error={queues.error}
        empty={
          <Empty title="No queues yet">
            <p className="muted">Create a queue above so requesters can pick a component.</p>
          </Empty>
        }
      >
        {(list) => (
          <ListTable
            className="admin-table"
            head={
              <>
                <th>Name</th>
                <th>Owning team</th>
                <th>Description</th>
              </>
            }
          >
            {list.map((q) => (
              <tr key={q.id} data-testid="queue-row" data-queue-id={q.id}>
                <td className="admin-strong">{q.name}</td>
                <td>{teamName(q.team_id)}</td>
                <td className="muted">{q.description || "—"}</td>
              </tr>
            ))}
          </ListTable>
        )}
      </ListStates>
    </div>
  );
}
