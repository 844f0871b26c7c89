// Create or edit a schedule: team, name, zone and its layers (rotations of
// participants). The API's field errors show next to the fields, nested ones
// (layers[0].handoff_time) next to their layer.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { patch, post } from "../api/client";
import { keys } from "../api/keys";
import type { Layer, Rotation, Schedule, Team, User } from "../api/types";
import { Field, SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { FormError } from "../components/States";
import { browserZone, hasNestedError, NestedFieldError } from "./shared";

const today = () => new Date().toISOString().slice(0, 10);
const newLayer = (n: number): Layer => ({ name: `Layer ${n}`, participant_ids: [], rotation: "weekly", start_date: today(), handoff_time: "09:00" });

interface Props {
  schedule?: Schedule; // editing
  teams: Team[];
  staff: User[];
  byId: Map<number, User>;
  onDone: (s: Schedule) => void;
  onCancel: () => void;
}

export function ScheduleForm({ schedule, teams, staff, byId, onDone, onCancel }: Props) {
  const client = useQueryClient();
  const [teamId, setTeamId] = useState(schedule ? String(schedule.team_id) : teams[0] ? String(teams[0].id) : "");
  const [name, setName] = useState(schedule?.name ?? "");
  const [description, setDescription] = useState(schedule?.description ?? "");
  const [zone, setZone] = useState(schedule?.time_zone ?? browserZone());
  const [layers, setLayers] = useState<Layer[]>(schedule?.layers.length ? schedule.layers : [newLayer(1)]);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      schedule ? patch<Schedule>(`/schedules/${schedule.id}`, body) : post<Schedule>("/schedules", body),
    onSuccess: (s) => {
      client.invalidateQueries({ queryKey: keys.oncall });
      onDone(s);
    },
  });
  const error = save.error;
  const setLayer = (i: number, change: Partial<Layer>) => setLayers((ls) => ls.map((l, j) => (j === i ? { ...l, ...change } : l)));

  const submit = () => {
    save.mutate({
      team_id: Number(teamId),
      name: name.trim(),
      description: description.trim(),
      time_zone: zone.trim(),
      layers: layers.map((l) => {
        const out: Layer = {
          name: l.name?.trim() || undefined,
          participant_ids: l.participant_ids,
          rotation: l.rotation,
          start_date: l.start_date,
          handoff_time: l.handoff_time,
        };
        if (l.rotation === "custom") out.rotation_hours = Number(l.rotation_hours) || 0;
        return out;
      }),
    });
  };

  const title = schedule ? `Edit ${schedule.name}` : "New schedule";
  return (
    <form
      className="panel admin-form oc-form"
      aria-labelledby="schedule-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!save.isPending) submit();
      }}
    >
      <h2 id="schedule-form-title">{title}</h2>
      <FormError error={error} />
      <div className="admin-form-grid">
        <SelectField id="sch-team" label="Team" value={teamId} onChange={setTeamId} error={error} field="team_id">
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <TextField id="sch-name" label="Schedule name" placeholder="e.g. Primary" value={name} onChange={setName} error={error} field="name" />
        <TextField id="sch-zone" label="Time zone" value={zone} onChange={setZone} error={error} field="time_zone" help="IANA zone, e.g. Europe/Berlin" />
        <TextField id="sch-description" label="Description" value={description} onChange={setDescription} error={error} field="description" />
      </div>
      <h3 className="oc-subhead">Layers</h3>
      <p className="muted admin-small oc-hint">Bottom to top: a higher layer wins where both have someone on call.</p>
      <NestedFieldError error={error} prefix="layers" exact />
      {layers.map((l, i) => (
        <fieldset key={i} className="oc-layer" aria-invalid={hasNestedError(error, `layers[${i}]`)}>
          <legend>Layer {i + 1}</legend>
          <NestedFieldError
            error={error}
            prefix={`layers[${i}]`}
            except={["name", "rotation", "rotation_hours", "start_date", "handoff_time", "participant_ids"].map((f) => `layers[${i}].${f}`)}
          />
          <div className="oc-layer-grid">
            <TextField id={`layer-${i}-name`} label="Layer name" value={l.name ?? ""} onChange={(v) => setLayer(i, { name: v })} error={error} field={`layers[${i}].name`} />
            <SelectField
              id={`layer-${i}-rotation`}
              label="Rotation"
              value={l.rotation}
              onChange={(v) => setLayer(i, { rotation: v as Rotation, rotation_hours: v === "custom" ? l.rotation_hours ?? 12 : undefined })}
              error={error}
              field={`layers[${i}].rotation`}
            >
              <option value="daily">Daily</option>
              <option value="weekly">Weekly</option>
              <option value="custom">Custom</option>
            </SelectField>
            {l.rotation === "custom" && (
              <TextField
                id={`layer-${i}-hours`}
                label="Shift length (hours)"
                type="number"
                min={1}
                value={String(l.rotation_hours ?? "")}
                onChange={(v) => setLayer(i, { rotation_hours: Number(v) })}
                error={error}
                field={`layers[${i}].rotation_hours`}
              />
            )}
            <TextField id={`layer-${i}-start`} label="First handoff date" type="date" value={l.start_date} onChange={(v) => setLayer(i, { start_date: v })} error={error} field={`layers[${i}].start_date`} />
            <TextField id={`layer-${i}-handoff`} label="Handoff time" type="time" value={l.handoff_time} onChange={(v) => setLayer(i, { handoff_time: v })} error={error} field={`layers[${i}].handoff_time`} />
          </div>
          <Field id={`layer-${i}-add`} label="Participants (in rotation order)" error={error} field={`layers[${i}].participant_ids`}>
            <div className="oc-chips">
              {l.participant_ids.map((id, j) => (
                <span key={`${id}-${j}`} className="oc-chip">
                  {j + 1}. {byId.get(id)?.display_name ?? `User #${id}`}
                  <button
                    type="button"
                    aria-label={`Remove ${byId.get(id)?.display_name ?? id} from layer ${i + 1}`}
                    onClick={() => setLayer(i, { participant_ids: l.participant_ids.filter((_, k) => k !== j) })}
                  >
                    ×
                  </button>
                </span>
              ))}
              {l.participant_ids.length === 0 && <span className="muted admin-small">Nobody yet</span>}
            </div>
            <select
              id={`layer-${i}-add`}
              value=""
              onChange={(e) => e.target.value && setLayer(i, { participant_ids: [...l.participant_ids, Number(e.target.value)] })}
            >
              <option value="">Add a participant…</option>
              {staff.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.display_name}
                </option>
              ))}
            </select>
          </Field>
          {layers.length > 1 && (
            <button type="button" className="link-button danger" onClick={() => setLayers((ls) => ls.filter((_, j) => j !== i))}>
              Remove layer {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <FormActions pending={save.isPending} saveLabel={schedule ? "Save schedule" : "Create schedule"} onCancel={onCancel}>
        <button type="button" onClick={() => setLayers((ls) => [...ls, newLayer(ls.length + 1)])} disabled={layers.length >= 10}>
          Add layer
        </button>
      </FormActions>
    </form>
  );
}
