// Webhooks and their deliveries (admins only; docs/ESCALATION.md): the JSON
// shapes, typed calls and React Query keys. Kept apart from types.ts / keys.ts
// like kb.ts and automation.ts; every webhook query starts with "webhooks".
import { get, patch, post } from "./client";
import type { Page } from "./types";

// The event types the server accepts (src/notify WebhookEventTypes()).
export const WEBHOOK_EVENT_TYPES = [
  "ticket.created",
  "ticket.replied",
  "escalation.triggered",
  "sla.warning",
  "sla.breached",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface Webhook {
  id: number;
  url: string;
  event_types: string[];
  active: boolean;
  created_at: string;
  updated_at: string;
  secret?: string; // only in the answer to a create
}

export interface NewWebhook {
  url: string;
  secret?: string; // absent: the server makes one and returns it once
  event_types: string[];
  active?: boolean;
}

export type WebhookChange = Partial<NewWebhook>;

// A delivery is a durable job: pending (waiting, maybe for a retry), running,
// done, or dead (out of attempts: the dead-letter list).
export type DeliveryState = "pending" | "running" | "done" | "dead";
export const DELIVERY_STATES: DeliveryState[] = ["dead", "pending", "running", "done"];

export interface Delivery {
  id: number;
  webhook_id: number;
  event_type: string;
  delivery_id: string | null; // the X-Opsdesk-Delivery header
  state: DeliveryState;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string | null; // pending only
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export const listWebhooks = async () => (await get<Page<Webhook>>("/webhooks")).items;
export const createWebhook = (body: NewWebhook) => post<Webhook>("/webhooks", body);
export const updateWebhook = (id: number, body: WebhookChange) => patch<Webhook>(`/webhooks/${id}`, body);
// Newest first; `state` absent: every state.
export const listDeliveries = (params: { state?: DeliveryState; limit?: number; cursor?: string }) =>
  get<Page<Delivery>>("/webhooks/deliveries", params);
// Queues a dead delivery again (409 unless it is dead).
export const retryDelivery = (id: number) => post<Delivery>(`/webhooks/deliveries/${id}/retry`);

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: ["webhooks", "list"] as const,
  deliveries: (state: DeliveryState | "") => ["webhooks", "deliveries", state] as const,
};
