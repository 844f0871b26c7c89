// The portal's deflection rate for leads: of the new-ticket sessions in which a
// requester opened a suggested article, how many filed no ticket.
import { useQuery } from "@tanstack/react-query";
import { get } from "../api/client";
import { kbLinkKeys, type Deflection } from "../api/search";

export function deflectionText(d: Deflection): string {
  const head = `Deflection (${d.days} days): `;
  if (d.rate === null || d.sessions === 0) return `${head}no portal session has opened a suggested article yet`;
  const open = d.open > 0 ? ` (${d.open} still open)` : "";
  return `${head}${Math.round(d.rate * 100)} % — ${d.deflected} of ${d.sessions} portal sessions that viewed a suggestion filed no ticket${open}`;
}

export function DeflectionSummary({ days }: { days: number }) {
  const deflection = useQuery({
    queryKey: kbLinkKeys.deflection(days),
    queryFn: () => get<Deflection>("/deflection", { days }),
    retry: false,
  });
  if (!deflection.data) return null; // loading, or not available: say nothing
  return (
    <p className="kb-deflection" data-testid="deflection">
      {deflectionText(deflection.data)}
    </p>
  );
}
