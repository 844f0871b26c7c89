// Helpers shared by the on-call pages.
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { ApiError, get } from "../api/client";
import { keys } from "../api/keys";
import type { EscalationPolicy, Page, Schedule, User } from "../api/types";
import { automationKeys, type EscalationRule, type SeverityTargets } from "../api/automation";
import { useAuth } from "../auth";
import { useAllUsers, useTeams } from "../admin/shared";
import { relativeTime } from "../components/format";

export function useSchedules() {
  return useQuery({
    queryKey: keys.schedules,
    queryFn: async () => (await get<Page<Schedule>>("/schedules")).items,
  });
}

export function useEscalationPolicies() {
  return useQuery({
    queryKey: keys.escalationPolicies,
    queryFn: async () => (await get<Page<EscalationPolicy>>("/escalation-policies")).items,
  });
}

export function useEscalationRules() {
  return useQuery({
    queryKey: automationKeys.rules,
    queryFn: async () => (await get<Page<EscalationRule>>("/escalation-rules")).items,
  });
}

export function useEscalationTargets() {
  return useQuery({
    queryKey: automationKeys.escalationTargets,
    queryFn: async () => (await get<Page<SeverityTargets>>("/escalation-targets")).items,
  });
}

export const isManager = (user: User | null | undefined) => user?.role === "lead" || user?.role === "admin";

// What every on-call page loads: who is signed in (and whether they may
// edit), the schedules, teams and users, and the active staff among them.
export function useOnCallData() {
  const { user } = useAuth();
  const schedules = useSchedules();
  const teams = useTeams();
  const users = useAllUsers();
  const staff = useMemo(() => (users.data ?? []).filter((u) => u.role !== "requester" && u.is_active), [users.data]);
  return { user, manager: isManager(user), schedules, teams, users, staff };
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

// The API's messages for `prefix` and every nested field under it
// ("layers[0]" covers "layers[0].handoff_time"), shown like FieldError.
// `exact`: only `prefix` itself; `except`: fields shown by their own control.
export function NestedFieldError({ error, prefix, exact, except = [] }: { error: unknown; prefix: string; exact?: boolean; except?: string[] }) {
  if (!(error instanceof ApiError)) return null;
  const entries = Object.entries(error.fields).filter(
    ([k]) => !except.includes(k) && (k === prefix || (!exact && (k.startsWith(prefix + ".") || k.startsWith(prefix + "[")))),
  );
  if (entries.length === 0) return null;
  return (
    <>
      {entries.map(([k, message]) => (
        <div key={k} className="field-error" role="alert" data-field={k}>
          {k === prefix ? message : `${k.slice(prefix.length).replace(/^\./, "")}: ${message}`}
        </div>
      ))}
    </>
  );
}

export const hasNestedError = (error: unknown, prefix: string) =>
  error instanceof ApiError &&
  Object.keys(error.fields).some((k) => k === prefix || k.startsWith(prefix + ".") || k.startsWith(prefix + "[")) ||
  undefined;

// <input type="datetime-local"> value (browser time) <-> RFC 3339.
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(value: string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function nameOf(byId: Map<number, User>, id: number | null | undefined): string {
  if (id == null) return "Nobody";
  return byId.get(id)?.display_name ?? `User #${id}`;
}

// "in 12 min", "in 3 h", "in 2 d" for a time ahead; relativeTime ("5 min ago") otherwise.
export function fromNow(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then) || then - now < 45_000) return relativeTime(iso, now);
  const minutes = Math.round((then - now) / 60_000);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} d`;
}
