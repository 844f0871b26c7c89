import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EscalationRule, SeverityTargets } from "../api/automation";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import Rules from "./Rules";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });
const agent = makeUser({ id: 3, display_name: "Alice Agent", role: "agent" });
const route = { path: "/oncall/rules", url: "/oncall/rules" };
const queues = [
  { id: 7, name: "ingestion", team_id: 5, description: "", created_at: "" },
  { id: 8, name: "query-engine", team_id: 6, description: "", created_at: "" },
];
const existing: EscalationRule = {
  id: 1,
  name: "Breaches to the leads",
  trigger: "sla_breach",
  minutes: null,
  priorities: [],
  queue_ids: [],
  tier: "l2",
  severity: "sev3",
  enabled: true,
  created_at: "",
  updated_at: "",
};
const targets: SeverityTargets[] = [
  { severity: "sev2", ack_minutes: 30, response_minutes: 240 },
  { severity: "sev1", ack_minutes: 15, response_minutes: 60 },
];

function rulesApi(me = lead) {
  let rules = [existing];
  let stored = targets;
  const api = mockApi(
    {
      "GET /escalation-rules": () => ({ body: { items: rules, next_cursor: null } }),
      "GET /escalation-targets": () => ({ body: { items: stored, next_cursor: null } }),
      "GET /queues": { body: { items: queues, next_cursor: null } },
      "POST /escalation-rules": (call) => {
        const body = call.body as EscalationRule;
        if (body.trigger === "unanswered" && (body.minutes ?? 0) < 1) {
          return apiError(422, "invalid_argument", "escalation rule is not valid", {
            minutes: "must be 1 to 525600 business minutes for an unanswered rule",
          });
        }
        if (body.name === existing.name) return apiError(409, "conflict", "an escalation rule with this name already exists");
        const r = { ...body, id: 2, created_at: "", updated_at: "" };
        rules = [...rules, r];
        return { status: 201, body: r };
      },
      "PATCH /escalation-rules/1": (call) => {
        rules = rules.map((r) => (r.id === 1 ? { ...r, ...(call.body as Partial<EscalationRule>) } : r));
        return { body: rules[0] };
      },
      "DELETE /escalation-rules/1": apiError(409, "conflict", "the rule has escalated tickets; disable it instead"),
      "PUT /escalation-targets/sev1": (call) => {
        const body = call.body as { ack_minutes: number; response_minutes: number };
        if (body.ack_minutes > 10080) {
          return apiError(422, "invalid_argument", "escalation targets are not valid", { ack_minutes: "must be 1 to 10080 minutes" });
        }
        stored = stored.map((t) => (t.severity === "sev1" ? { ...t, ...body } : t));
        return { body: { severity: "sev1", ...body } };
      },
    },
    me,
  );
  return api;
}

describe("Escalation rules", () => {
  it("creates an unanswered rule, with the minutes' error next to the field", async () => {
    const api = rulesApi();
    renderPage(<Rules />, route);
    const row = await screen.findByTestId("escalation-rule");
    expect(row).toHaveTextContent("Breaches to the leads");
    expect(row).toHaveTextContent("SLA breached");
    expect(row).toHaveTextContent("L2 (the leads) · SEV3");

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "New rule" }));
    const form = screen.getByRole("form", { name: "New escalation rule" });
    await user.type(within(form).getByLabelText("Name"), "Urgent unanswered");
    const minutes = within(form).getByLabelText(/Business minutes/);
    await user.clear(minutes);
    await user.click(within(form).getByLabelText("Urgent"));
    await user.click(within(form).getByLabelText("ingestion"));
    await user.selectOptions(within(form).getByLabelText("Severity"), "sev2");
    await user.click(within(form).getByRole("button", { name: "Create rule" }));

    const message = await within(form).findByText(/must be 1 to 525600/);
    expect(minutes.closest(".field")).toContainElement(message);
    expect(minutes).toHaveAttribute("aria-invalid", "true");
    expect(api.find("POST", "/escalation-rules")[0]!.body).toEqual({
      name: "Urgent unanswered",
      trigger: "unanswered",
      minutes: null,
      priorities: ["urgent"],
      queue_ids: [7],
      tier: "engineering",
      severity: "sev2",
      enabled: true,
    });

    await user.type(minutes, "15");
    await user.click(within(form).getByRole("button", { name: "Create rule" }));
    await waitFor(() => expect(screen.queryByRole("form", { name: "New escalation rule" })).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId("escalation-rule")).toHaveLength(2));
    const created = screen.getAllByTestId("escalation-rule")[1]!;
    expect(created).toHaveTextContent("Unanswered for 15 min (business time)");
    expect(created).toHaveTextContent("Urgent · queue ingestion");
    expect(api.find("POST", "/escalation-rules")[1]!.body).toMatchObject({ minutes: 15 });
  });

  it("shows a taken name under the Name field", async () => {
    rulesApi();
    renderPage(<Rules />, route);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "New rule" }));
    const form = screen.getByRole("form", { name: "New escalation rule" });
    await user.type(within(form).getByLabelText("Name"), "Breaches to the leads");
    await user.selectOptions(within(form).getByLabelText("When"), "sla_breach");
    expect(within(form).queryByLabelText(/Business minutes/)).toBeNull();
    await user.click(within(form).getByRole("button", { name: "Create rule" }));
    const message = await within(form).findByText("an escalation rule with this name already exists", { selector: ".field-error" });
    expect(within(form).getByLabelText("Name").closest(".field")).toContainElement(message);
  });

  it("disables, edits and refuses to delete a used rule", async () => {
    const api = rulesApi();
    renderPage(<Rules />, route);
    const user = userEvent.setup();
    const row = await screen.findByTestId("escalation-rule");
    await user.click(within(row).getByLabelText("Breaches to the leads enabled"));
    await waitFor(() => expect(row).toHaveAttribute("data-enabled", "false"));
    expect(api.find("PATCH", "/escalation-rules/1")[0]!.body).toEqual({ enabled: false });
    expect(row).toHaveTextContent("Disabled");

    await user.click(within(row).getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit Breaches to the leads" });
    expect(within(form).getByLabelText("Enabled")).not.toBeChecked();
    await user.selectOptions(within(form).getByLabelText("Escalate to"), "engineering");
    await user.click(within(form).getByRole("button", { name: "Save rule" }));
    await waitFor(() => expect(row).toHaveTextContent("Engineering · SEV3"));
    expect(api.find("PATCH", "/escalation-rules/1")[1]!.body).toMatchObject({ tier: "engineering", trigger: "sla_breach", minutes: null, enabled: false });

    vi.spyOn(window, "confirm").mockReturnValue(true);
    await user.click(within(row).getByRole("button", { name: "Delete" }));
    expect(await within(row).findByRole("alert")).toHaveTextContent("disable it instead");
  });

  it("edits the clock targets per severity, with field errors next to them", async () => {
    const api = rulesApi();
    renderPage(<Rules />, route);
    const user = userEvent.setup();
    const rows = await screen.findAllByTestId("escalation-targets");
    expect(rows.map((r) => r.dataset.severity)).toEqual(["sev1", "sev2"]);
    const ack = within(rows[0]!).getByLabelText("SEV1 acknowledge within (min)");
    expect(ack).toHaveValue(15);
    const save = within(rows[0]!).getByRole("button", { name: "Save SEV1 targets" });
    expect(save).toBeDisabled();
    await user.clear(ack);
    await user.type(ack, "20000");
    await user.click(save);
    expect(await within(rows[0]!).findByText("must be 1 to 10080 minutes")).toBeInTheDocument();
    expect(ack).toHaveAttribute("aria-invalid", "true");
    await user.clear(ack);
    await user.type(ack, "10");
    await user.click(save);
    expect(await within(rows[0]!).findByText("Saved.")).toBeInTheDocument();
    expect(api.find("PUT", "/escalation-targets/sev1").at(-1)!.body).toEqual({ ack_minutes: 10, response_minutes: 60 });
  });

  it("is read-only for agents", async () => {
    rulesApi(agent);
    renderPage(<Rules />, route);
    const row = await screen.findByTestId("escalation-rule");
    expect(row).toHaveTextContent("Enabled");
    expect(within(row).queryByRole("checkbox")).toBeNull();
    expect(within(row).queryByRole("button", { name: "Edit" })).toBeNull();
    expect(screen.queryByRole("button", { name: "New rule" })).toBeNull();
    const targetRows = await screen.findAllByTestId("escalation-targets");
    expect(targetRows[0]).toHaveTextContent("15 min");
    expect(targetRows[0]).toHaveTextContent("1 h");
    expect(screen.queryAllByRole("spinbutton")).toHaveLength(0);
  });
});
