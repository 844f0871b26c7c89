// The JSON shapes of automatic escalation rules, escalation clocks, the
// component catalog and notification preferences (docs/ESCALATION.md), and
// their React Query keys. Kept apart from types.ts / keys.ts while those are
// being edited elsewhere; the prefixes match keys.ts so its invalidations
// ("oncall", "escalations") reach these queries too.
import type { Escalation, EscalationTier, Priority, Severity, SlaPolicy } from "./types";

// --- Automatic escalation rules

export type RuleTrigger = "unanswered" | "sla_breach";
export const RULE_TRIGGERS: RuleTrigger[] = ["unanswered", "sla_breach"];

export interface EscalationRule {
  id: number;
  name: string;
  trigger: RuleTrigger;
  minutes: number | null; // business minutes without a first response (unanswered only)
  priorities: Priority[]; // empty: any
  queue_ids: number[]; // empty: any
  tier: EscalationTier;
  severity: Severity;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

// --- Escalation clocks

// The escalation clocks' targets for one severity (GET /escalation-targets).
export interface SeverityTargets {
  severity: Severity;
  ack_minutes: number;
  response_minutes: number;
}

// stopped: the escalation closed before the clock was met, in time.
export type ClockState = "running" | "met" | "breached" | "stopped";

export interface EscalationClock {
  target_minutes: number;
  due_at: string;
  met_at: string | null;
  state: ClockState;
}

// An escalation with the fields added for rules and clocks.
export type EscalationWithClocks = Escalation & {
  rule_id?: number | null;
  responded_by?: number | null;
  responded_at?: string | null;
  clocks?: { acknowledge: EscalationClock; response: EscalationClock };
};

// --- SLA

export type SlaPolicyWithPause = SlaPolicy & { pause_while_escalated?: boolean };

// --- Component catalog (a component is a queue)

export interface ComponentOnCall {
  schedule_id?: number;
  schedule_name?: string;
  user_id: number | null; // null: nobody on call on that schedule now
  display_name: string | null;
  until: string | null;
}

// A published knowledge base article related to the component.
export interface ComponentSop {
  id: number;
  title: string;
  category: string;
  audience: "public" | "internal";
  updated_at: string;
}

export interface Component {
  id: number;
  name: string;
  description: string;
  team: { id: number; name: string } | null;
  escalation_policy: { id: number; name: string } | null;
  on_call: ComponentOnCall[];
  open_tickets: number;
  open_escalations: number;
  sops?: ComponentSop[]; // GET /components/{id} only: newest change first, at most 20
}

// --- Notification preferences

export interface NotificationPreference {
  event_type: string;
  channel: string; // "email"
  enabled: boolean;
}

export const automationKeys = {
  rules: ["oncall", "escalation-rules"] as const,
  escalationTargets: ["oncall", "escalation-targets"] as const,
  // Every catalog query starts with "components".
  components: ["components"] as const,
  component: (id: number) => ["components", id] as const,
  notificationPreferences: ["notification-preferences"] as const,
};
