import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import Webhooks from "./Webhooks";
import { apiError, makeUser, mockApi, renderPage } from "../portal/testing";
import type { Delivery, Webhook } from "../api/webhooks";

afterEach(() => vi.unstubAllGlobals());

const route = { path: "/admin/webhooks", url: "/admin/webhooks" };
const admin = makeUser({ role: "admin", display_name: "Ada Admin" });

const hook: Webhook = {
  id: 3,
  url: "https://hooks.example.com/desk",
  event_types: ["ticket.created", "sla.breached"],
  active: true,
  created_at: "2026-11-01T09:00:00Z",
  updated_at: "2026-11-01T09:00:00Z",
};

function delivery(over: Partial<Delivery>): Delivery {
  return {
    id: 1,
    webhook_id: 3,
    event_type: "ticket.created",
    delivery_id: "notify:ticket.created:1:webhook:3",
    state: "dead",
    attempts: 3,
    max_attempts: 3,
    next_attempt_at: null,
    last_error: "HTTP 500",
    created_at: "2026-11-02T09:00:00Z",
    updated_at: "2026-11-02T09:05:00Z",
    finished_at: "2026-11-02T09:05:00Z",
    ...over,
  };
}

describe("Webhooks", () => {
  it("lists webhooks, adds one (secret shown once) and deactivates one", async () => {
    let hooks: Webhook[] = [hook];
    const api = mockApi(
      {
        "GET /webhooks": () => ({ body: { items: hooks, next_cursor: null } }),
        "GET /webhooks/deliveries": { body: { items: [], next_cursor: null } },
        "POST /webhooks": (call) => {
          const body = call.body as { url: string; event_types: string[] };
          const created = { ...hook, id: 4, url: body.url, event_types: body.event_types };
          hooks = [...hooks, created];
          return { status: 201, body: { ...created, secret: "s3cret-made-by-the-server" } };
        },
        "PATCH /webhooks/3": (call) => {
          hooks = hooks.map((h) => (h.id === 3 ? { ...h, ...(call.body as Partial<Webhook>) } : h));
          return { body: hooks[0] };
        },
      },
      admin,
    );
    renderPage(<Webhooks />, route);
    const row = (await screen.findByText(hook.url)).closest("tr")!;
    expect(row).toHaveTextContent("ticket.created, sla.breached");
    expect(row).toHaveTextContent("Active");
    expect(await screen.findByText("No dead deliveries")).toBeInTheDocument();

    const form = screen.getByRole("form", { name: "New webhook" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("URL"), "https://ops.example.net/in");
    await user.click(within(form).getByLabelText("ticket.replied"));
    await user.click(within(form).getByRole("button", { name: "Add webhook" }));

    expect(await within(form).findByTestId("webhook-secret")).toHaveTextContent("s3cret-made-by-the-server");
    expect(api.find("POST", "/webhooks")[0].body).toEqual({
      url: "https://ops.example.net/in",
      event_types: ["ticket.created", "ticket.replied"],
    });
    const added = (await screen.findByText("https://ops.example.net/in", { selector: "td" })).closest("tr")!;
    expect(added).toHaveTextContent("ticket.created, ticket.replied");

    await user.click(within(row).getByRole("button", { name: `Deactivate ${hook.url}` }));
    await waitFor(() => expect(within(row).getByRole("button", { name: `Activate ${hook.url}` })).toBeInTheDocument());
    expect(row).toHaveTextContent("Inactive");
    expect(api.find("PATCH", "/webhooks/3")[0].body).toEqual({ active: false });
  });

  it("shows the API's field errors under their inputs", async () => {
    mockApi(
      {
        "GET /webhooks": { body: { items: [], next_cursor: null } },
        "GET /webhooks/deliveries": { body: { items: [], next_cursor: null } },
        "POST /webhooks": apiError(400, "invalid_argument", "webhook is not valid", {
          url: "must not point at a loopback, private, link-local or reserved address (see webhook_allow_hosts)",
          event_types: "must name at least one event type",
        }),
      },
      admin,
    );
    renderPage(<Webhooks />, route);
    expect(await screen.findByText("No webhooks yet")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "New webhook" });
    const user = userEvent.setup();
    await user.type(within(form).getByLabelText("URL"), "http://10.0.0.1/x");
    await user.click(within(form).getByLabelText("ticket.created")); // unticks the default
    await user.click(within(form).getByRole("button", { name: "Add webhook" }));

    const urlMessage = await within(form).findByText(/must not point at a loopback/);
    expect(within(form).getByLabelText("URL").closest(".field")).toContainElement(urlMessage);
    expect(within(form).getByLabelText("URL")).toHaveAttribute("aria-invalid", "true");
    const typesMessage = within(form).getByText("must name at least one event type");
    expect(within(form).getByRole("group", { name: "Event types" })).toContainElement(typesMessage);
    expect(within(form).getByLabelText("URL")).toHaveValue("http://10.0.0.1/x");
  });

  it("opens on the dead letters, retries one, filters by state and loads more", async () => {
    let dead: Delivery[] = [delivery({ id: 7 }), delivery({ id: 6, event_type: "sla.breached", last_error: "timed out" })];
    const done = [delivery({ id: 5, state: "done", attempts: 1, last_error: null })];
    const more = [delivery({ id: 2, state: "done", attempts: 2, last_error: null, webhook_id: 99 })];
    const api = mockApi(
      {
        "GET /webhooks": { body: { items: [hook], next_cursor: null } },
        "GET /webhooks/deliveries": (call) => {
          const state = call.query.get("state");
          if (state === "dead") return { body: { items: dead, next_cursor: null } };
          if (state === "done") {
            return call.query.get("cursor") === "c2"
              ? { body: { items: more, next_cursor: null } }
              : { body: { items: done, next_cursor: "c2" } };
          }
          return { body: { items: [], next_cursor: null } };
        },
        "POST /webhooks/deliveries/7/retry": () => {
          dead = dead.filter((d) => d.id !== 7);
          return { body: delivery({ id: 7, state: "pending", attempts: 0, next_attempt_at: "2026-11-02T10:00:00Z" }) };
        },
        "POST /webhooks/deliveries/6/retry": apiError(409, "failed_precondition", "delivery 6 is not dead"),
      },
      admin,
    );
    renderPage(<Webhooks />, route);
    const rows = await screen.findAllByTestId("delivery-row");
    expect(rows).toHaveLength(2);
    expect(api.find("GET", "/webhooks/deliveries")[0].query.get("state")).toBe("dead");
    expect(rows[0]).toHaveTextContent("ticket.created");
    expect(rows[0]).toHaveTextContent(hook.url);
    expect(within(rows[0]).getByTestId("delivery-attempts")).toHaveTextContent("3/3");
    expect(rows[0]).toHaveTextContent("HTTP 500");
    expect(rows[1]).toHaveTextContent("timed out");

    const user = userEvent.setup();
    await user.click(within(rows[0]).getByRole("button", { name: "Retry delivery 7" }));
    expect(await screen.findByTestId("retry-notice")).toHaveTextContent("Delivery 7 (ticket.created) was queued again.");
    await waitFor(() => expect(screen.getAllByTestId("delivery-row")).toHaveLength(1));
    expect(screen.getByTestId("delivery-row")).toHaveAttribute("data-delivery-id", "6");

    // A 409 (someone else retried it) shows by the button.
    await user.click(screen.getByRole("button", { name: "Retry delivery 6" }));
    expect(await screen.findByText("delivery 6 is not dead")).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("State"), "done");
    await waitFor(() => expect(screen.getByTestId("delivery-row")).toHaveAttribute("data-delivery-id", "5"));
    expect(screen.queryByRole("button", { name: /^Retry/ })).not.toBeInTheDocument();
    expect(screen.getByTestId("delivery-attempts")).toHaveTextContent("1/3");
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("delivery-row")).toHaveLength(2));
    expect(screen.getAllByTestId("delivery-row")[1]).toHaveTextContent("Webhook #99");
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(api.find("GET", "/webhooks/deliveries").at(-1)!.query.get("cursor")).toBe("c2");
  });

  it("tells a lead that only admins manage webhooks, without asking the API", async () => {
    const api = mockApi({}, makeUser({ role: "lead" }));
    renderPage(<Webhooks />, route);
    expect(await screen.findByTestId("admins-only-note")).toHaveTextContent("Only admins manage webhooks");
    expect(screen.queryByRole("form", { name: "New webhook" })).not.toBeInTheDocument();
    expect(api.calls.filter((c) => c.path.startsWith("/webhooks"))).toHaveLength(0);
  });
});
