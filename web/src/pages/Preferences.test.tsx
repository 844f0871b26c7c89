import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NotificationPreference } from "../api/automation";
import { apiError, mockApi, renderPage } from "../portal/testing";
import Preferences from "./Preferences";

afterEach(() => vi.unstubAllGlobals());

const route = { path: "/settings/notifications", url: "/settings/notifications" };
const initial: NotificationPreference[] = [
  { event_type: "ticket.replied", channel: "email", enabled: true },
  { event_type: "sla.warning", channel: "email", enabled: true },
  { event_type: "sla.breached", channel: "email", enabled: false },
  { event_type: "escalation.unacknowledged", channel: "email", enabled: true },
];

describe("Notification preferences", () => {
  it("shows a labelled checkbox per event type and saves them all with PUT", async () => {
    let stored = initial;
    const api = mockApi({
      "GET /me/notification-preferences": () => ({ body: { preferences: stored } }),
      "PUT /me/notification-preferences": (call) => {
        stored = (call.body as { preferences: NotificationPreference[] }).preferences;
        return { body: { preferences: stored } };
      },
    });
    renderPage(<Preferences />, route);
    const replied = await screen.findByLabelText("Replies to my tickets");
    expect(replied).toBeChecked();
    expect(screen.getByLabelText("SLA about to breach")).toBeChecked();
    expect(screen.getByLabelText("SLA breached")).not.toBeChecked();
    expect(screen.getByLabelText("Escalation not acknowledged")).toBeChecked();
    expect(screen.getAllByTestId("notification-preference")).toHaveLength(4);

    const user = userEvent.setup();
    await user.click(replied);
    await user.click(screen.getByLabelText("SLA breached"));
    await user.click(screen.getByRole("button", { name: "Save preferences" }));
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(api.find("PUT", "/me/notification-preferences")[0]!.body).toEqual({
      preferences: [
        { event_type: "ticket.replied", channel: "email", enabled: false },
        { event_type: "sla.warning", channel: "email", enabled: true },
        { event_type: "sla.breached", channel: "email", enabled: true },
        { event_type: "escalation.unacknowledged", channel: "email", enabled: true },
      ],
    });
    expect(replied).not.toBeChecked();

    // Cancel goes back to what is saved.
    await user.click(screen.getByLabelText("SLA about to breach"));
    expect(screen.queryByText("Saved.")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByLabelText("SLA about to breach")).toBeChecked();
  });

  it("shows an unknown event type by its name and the API's error", async () => {
    mockApi({
      "GET /me/notification-preferences": { body: { preferences: [{ event_type: "ticket.solved", channel: "email", enabled: true }] } },
      "PUT /me/notification-preferences": apiError(422, "invalid_argument", "preferences are not valid", {
        "preferences[0]": "unknown event_type and channel",
      }),
    });
    renderPage(<Preferences />, route);
    const box = await screen.findByLabelText("ticket.solved");
    const user = userEvent.setup();
    await user.click(box);
    await user.click(screen.getByRole("button", { name: "Save preferences" }));
    await waitFor(() => expect(screen.getByTestId("notification-preference")).toHaveTextContent("unknown event_type and channel"));
    expect(screen.queryByText("Saved.")).toBeNull();
  });
});
