import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Component } from "../api/automation";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import ComponentDetail from "./ComponentDetail";
import Components from "./Components";

afterEach(() => vi.unstubAllGlobals());

const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const until = "2026-11-26T09:00:00Z";
const ingestion: Component = {
  id: 7,
  name: "ingestion",
  description: "Batch and streaming ingestion",
  team: { id: 5, name: "ingestion-eng" },
  escalation_policy: { id: 4, name: "Ingestion outages" },
  on_call: [{ schedule_id: 1, schedule_name: "Primary", user_id: 3, display_name: "Alice Agent", until }],
  open_tickets: 3,
  open_escalations: 1,
};
const orphan: Component = {
  id: 8,
  name: "billing",
  description: "",
  team: null,
  escalation_policy: null,
  on_call: [],
  open_tickets: 0,
  open_escalations: 0,
};

describe("Component catalog", () => {
  it("lists components with team, policy, who is on call until when and open counts", async () => {
    mockApi({ "GET /components": { body: { items: [ingestion, orphan], next_cursor: null } } }, agent);
    renderPage(<Components />, { path: "/components", url: "/components" });
    const rows = await screen.findAllByTestId("component-row");
    expect(rows).toHaveLength(2);
    const [first, second] = rows as [HTMLElement, HTMLElement];
    expect(within(first).getByRole("link", { name: "ingestion" })).toHaveAttribute("href", "/components/7");
    expect(within(first).getByTestId("component-team")).toHaveTextContent("ingestion-eng");
    expect(within(first).getByTestId("component-policy")).toHaveTextContent("Ingestion outages");
    const onCall = within(first).getByTestId("component-on-call");
    expect(onCall).toHaveTextContent("Alice Agent");
    expect(onCall).toHaveTextContent("until");
    expect(onCall).toHaveTextContent("(Primary)");
    expect(within(onCall).getByText((_, el) => el?.tagName === "TIME")).toHaveAttribute("datetime", until);
    expect(within(first).getByRole("link", { name: "3" })).toHaveAttribute("href", "/agent/views/queue%3Aingestion");
    expect(within(first).getByTestId("component-open-escalations")).toHaveTextContent("1");

    expect(within(second).getByTestId("component-team")).toHaveTextContent("No team");
    expect(within(second).getByTestId("component-policy")).toHaveTextContent("None");
    expect(second).toHaveTextContent("No schedule");
    expect(within(second).getByTestId("component-open-tickets")).toHaveTextContent("0");
  });

  it("shows the empty state", async () => {
    mockApi({ "GET /components": { body: { items: [], next_cursor: null } } }, agent);
    renderPage(<Components />, { path: "/components", url: "/components" });
    expect(await screen.findByText("No components yet")).toBeInTheDocument();
  });

  it("shows one component with its SOPs", async () => {
    const sops = [
      { id: 21, title: "Ingestion lag runbook", category: "Runbooks", audience: "internal" as const, updated_at: "2026-11-20T10:00:00Z" },
      { id: 22, title: "Why is my data late?", category: "", audience: "public" as const, updated_at: "2026-11-02T10:00:00Z" },
    ];
    mockApi(
      {
        "GET /components/7": {
          body: { ...ingestion, sops, on_call: [...ingestion.on_call, { schedule_id: 2, schedule_name: "Secondary", user_id: null, display_name: null, until: null }] },
        },
      },
      agent,
    );
    renderPage(<ComponentDetail />, { path: "/components/:id", url: "/components/7" });
    const detail = await screen.findByTestId("component-detail");
    expect(within(detail).getByRole("heading", { level: 1 })).toHaveTextContent("ingestion");
    expect(detail).toHaveTextContent("Batch and streaming ingestion");
    expect(within(detail).getByTestId("component-team")).toHaveTextContent("ingestion-eng");
    expect(within(detail).getByRole("link", { name: "Ingestion outages" })).toHaveAttribute("href", "/oncall/policies");
    const onCall = within(detail).getAllByTestId("component-on-call");
    expect(onCall[0]).toHaveTextContent("Alice Agent");
    expect(onCall[1]).toHaveTextContent("Nobody (Secondary)");
    expect(within(detail).getByTestId("component-open-tickets")).toHaveTextContent("3");
    const kb = within(detail).getByRole("region", { name: "SOPs" });
    const items = within(kb).getAllByTestId("component-sop");
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole("link", { name: "Ingestion lag runbook" })).toHaveAttribute("href", "/kb/21");
    expect(items[0]).toHaveTextContent("Runbooks · updated 2026-11-20");
    expect(items[1]).toHaveTextContent("public · updated 2026-11-02");
    expect(within(kb).queryByText(/No published SOPs/)).toBeNull();
    expect(kb).toHaveTextContent(/Known problems for ingestion arrive with the insights work/);
    expect(within(detail).getByRole("link", { name: "← All components" })).toHaveAttribute("href", "/components");
  });

  it("says when a component has no SOPs and links to writing one", async () => {
    mockApi({ "GET /components/8": { body: { ...orphan, sops: [] } } }, agent);
    renderPage(<ComponentDetail />, { path: "/components/:id", url: "/components/8" });
    const kb = await screen.findByRole("region", { name: "SOPs" });
    expect(kb).toHaveTextContent("No published SOPs for this component yet");
    expect(within(kb).getByRole("link", { name: "Write one" })).toHaveAttribute("href", "/kb/new?component=8");
  });

  it("says when a component does not exist", async () => {
    mockApi({ "GET /components/99": apiError(404, "not_found", "component not found") }, agent);
    renderPage(<ComponentDetail />, { path: "/components/:id", url: "/components/99" });
    expect(await screen.findByText("Component not found")).toBeInTheDocument();
  });
});
