import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Deflection, KbGaps } from "../api/search";
import { makeUser, mockApi, renderPage } from "../portal/testing";
import { deflectionText } from "./Deflection";
import Gaps from "./Gaps";

afterEach(() => vi.unstubAllGlobals());

const lead = makeUser({ id: 2, display_name: "Lena Lead", role: "lead" });

function gapsApi() {
  return mockApi(
    {
      "GET /kb/gaps": (call) => {
        const days = Number(call.query.get("days"));
        const body: KbGaps =
          days === 7
            ? { days, total: 0, groups: [] }
            : {
                days,
                total: 4,
                groups: [
                  { queue: "ingestion", tag: "kafka", count: 3, ticket_ids: [150, 96, 88] },
                  { queue: null, tag: null, count: 1, ticket_ids: [12] },
                ],
              };
        return { body };
      },
      "GET /deflection": (call) => ({
        body: { days: Number(call.query.get("days")), sessions: 50, filed: 29, deflected: 21, rate: 0.42, open: 0 } satisfies Deflection,
      }),
    },
    lead,
  );
}

describe("Knowledge base gaps", () => {
  it("groups solved tickets without an article by component and tag, each linking to the ticket", async () => {
    const api = gapsApi();
    renderPage(<Gaps />, { path: "/kb/gaps", url: "/kb/gaps" });
    await waitFor(() => expect(screen.getAllByTestId("gap-group")).toHaveLength(2));
    const [kafka, none] = screen.getAllByTestId("gap-group");
    expect(kafka).toHaveTextContent("ingestion");
    expect(kafka).toHaveTextContent("kafka");
    expect(kafka).toHaveTextContent("3");
    expect(within(kafka!).getByRole("link", { name: "#96" })).toHaveAttribute("href", "/agent/tickets/96");
    expect(none).toHaveTextContent("No component");
    expect(none).toHaveTextContent("No tag");
    expect(screen.getByTestId("gaps-total")).toHaveTextContent("4 solved tickets used no article in the last 30 days");
    expect(screen.getByTestId("deflection")).toHaveTextContent(
      "Deflection (30 days): 42 % — 21 of 50 portal sessions that viewed a suggestion filed no ticket",
    );
    expect(api.find("GET", "/kb/gaps")[0]!.query.get("days")).toBe("30");

    await userEvent.setup().selectOptions(screen.getByLabelText(/Solved in the last/), "7");
    expect(await screen.findByText(/No gaps/)).toBeInTheDocument();
    expect(api.find("GET", "/kb/gaps").at(-1)!.query.get("days")).toBe("7");
    expect(api.find("GET", "/deflection").at(-1)!.query.get("days")).toBe("7");
  });

  it("words the deflection rate when there is nothing to count yet, or sessions still open", () => {
    expect(deflectionText({ days: 30, sessions: 0, filed: 0, deflected: 0, rate: null, open: 0 })).toBe(
      "Deflection (30 days): no portal session has opened a suggested article yet",
    );
    expect(deflectionText({ days: 7, sessions: 10, filed: 2, deflected: 5, rate: 0.714, open: 3 })).toBe(
      "Deflection (7 days): 71 % — 5 of 10 portal sessions that viewed a suggestion filed no ticket (3 still open)",
    );
  });
});
