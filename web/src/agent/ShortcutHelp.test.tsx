import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ShortcutHelp } from "./ShortcutHelp";

describe("Shortcut help", () => {
  it("lists / for search as a key, and / between keys as 'or'", () => {
    render(<ShortcutHelp onClose={() => undefined} />);
    const search = screen.getByText("Search tickets and articles").closest("div")!;
    expect(search.querySelector("kbd")).toHaveTextContent("/");
    const move = screen.getByText("Next / previous ticket").closest("div")!;
    expect([...move.querySelectorAll("kbd")].map((k) => k.textContent)).toEqual(["j", "k"]);
  });
});
