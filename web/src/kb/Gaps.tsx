// /kb/gaps (leads and admins): solved tickets of the last 7, 30 or 90 days
// that used no article, grouped by component and tag: what the knowledge base
// is missing. Each ticket links to its page, where "Draft an article from this
// ticket" starts one. The period lives in the URL.
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { get } from "../api/client";
import { kbLinkKeys, type KbGaps } from "../api/search";
import { Empty, ListStates } from "../components/States";
import { ListTable } from "../components/Table";
import { DeflectionSummary } from "./Deflection";
import "./kb.css";

export const GAP_PERIODS = [7, 30, 90];

export default function Gaps() {
  const [search, setSearch] = useSearchParams();
  const asked = Number(search.get("days"));
  const days = GAP_PERIODS.includes(asked) ? asked : 30;
  const gaps = useQuery({ queryKey: kbLinkKeys.gaps(days), queryFn: () => get<KbGaps>("/kb/gaps", { days }) });

  return (
    <div className="kb">
      <p>
        <Link to="/kb">← Knowledge base</Link>
      </p>
      <div className="kb-title">
        <h1>Gaps</h1>
        <span className="kb-spacer" />
        <label>
          Solved in the last{" "}
          <select value={days} onChange={(e) => setSearch(e.target.value === "30" ? {} : { days: e.target.value }, { replace: true })}>
            {GAP_PERIODS.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">
        Solved tickets that were answered without an article, by component and tag. Open one and use “Draft an article from this ticket” to
        fill the gap.
      </p>
      <DeflectionSummary days={days} />
      {gaps.data && (
        <p data-testid="gaps-total">
          {gaps.data.total === 1 ? "1 solved ticket" : `${gaps.data.total} solved tickets`} used no article in the last {gaps.data.days} days.
        </p>
      )}
      <ListStates
        pending={gaps.isPending}
        items={gaps.data?.groups}
        error={gaps.error}
        empty={<Empty title="No gaps: every solved ticket of this period used an article" />}
      >
        {(groups) => (
          <ListTable
            className="kb-table kb-gaps"
            head={
              <>
                <th>Component</th>
                <th>Tag</th>
                <th>Tickets</th>
                <th>Which</th>
              </>
            }
          >
            {groups.map((g) => (
              <tr key={`${g.queue ?? ""}|${g.tag ?? ""}`} data-testid="gap-group">
                <td>{g.queue ?? <span className="muted">No component</span>}</td>
                <td>{g.tag ? <span className="kb-tag">{g.tag}</span> : <span className="muted">No tag</span>}</td>
                <td>{g.count}</td>
                <td className="kb-gap-tickets">
                  {g.ticket_ids.map((id) => (
                    <Link key={id} to={`/agent/tickets/${id}`}>
                      #{id}
                    </Link>
                  ))}
                  {g.count > g.ticket_ids.length && <span className="muted">and {g.count - g.ticket_ids.length} more</span>}
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </ListStates>
    </div>
  );
}
