import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import Queues from "./Queues";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import type { Queue } from "../api/types";

afterEach(() => vi.unstubAllGlobals());

const teams = [
  { id: 1, name: "user-ops", description: "", member_ids: [], created_at: "2026-10-01T00:00:00Z" },
  { id: 6, name: "billing-eng", description: "", member_ids: [], created_at: "2026-10-01T00:00:00Z" },
];
const route = { path: "/admin/queues", url: "/admin/queues" };

describe("Queues", () => {
  it("lists queues with their team and creates one", async () => {
    let queues: Queue[] = [{ id: 5, name: "billing", team_id: 6, description: "Cost reports", created_at: "2026-10-01T00:00:00Z" }];
    const api = mockApi(
      {
        "GET /teams": { body: { items: teams, next_cursor: null } },
        "GET /queues": () => ({ body: { items: queues, next_cursor: null } }),
        "POST /queues": (call) => {
          const q = { id: 9, description: "", created_at: "2026-11-25T00:00:00Z", ...(call.body as { name: string; team_id: number }) };
          queues = [...queues, q];
          return { status: 201, body: q };
        },
      },
      makeUser({ role: "lead" }),
    );
    renderPage(<Queues />, route);
    const row = (await screen.findByText("billing")).closest("tr")!;
    await waitFor(() => expect(row).toHaveTextContent("billing-eng"));

    const form = screen.getByRole("form", { name: "New queue" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Name"), "networking");
    await user.selectOptions(within(form).getByLabelText("Owning team"), "1");
    await user.type(within(form).getByLabelText("Description"), "VPNs and DNS");
    await user.click(within(form).getByRole("button", { name: "Create queue" }));

    expect(await screen.findByText("networking")).toBeInTheDocument();
    expect(api.find("POST", "/queues")[0].body).toEqual({ name: "networking", team_id: 1, description: "VPNs and DNS" });
  });

  it("shows field errors and an empty state", async () => {
    mockApi(
      {
        "GET /teams": { body: { items: teams, next_cursor: null } },
        "GET /queues": { body: { items: [], next_cursor: null } },
        "POST /queues": apiError(422, "invalid_argument", "queue is not valid", { team_id: "team does not exist" }),
      },
      makeUser({ role: "admin" }),
    );
    renderPage(<Queues />, route);
    expect(await screen.findByText("No queues yet")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "New queue" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("Name"), "x");
    await user.click(within(form).getByRole("button", { name: "Create queue" }));
    const message = await within(form).findByText("team does not exist");
    expect(within(form).getByLabelText("Owning team").closest(".field")).toContainElement(message);
    expect(within(form).getByLabelText("Name")).toHaveValue("x");
  });
});
