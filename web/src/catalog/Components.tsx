// /components: the component catalog. Each component is a queue, with the
// engineering team that owns it, the escalation policy an escalation pages,
// who is on call for it now and how much is open against it.
import { Link } from "react-router";
import { Empty, ListStates } from "../components/States";
import { ListTable } from "../components/Table";
import { OnCallList, queueViewPath, useComponents } from "./shared";
import "../admin/admin.css";
import "./catalog.css";

export default function Components() {
  const list = useComponents();
  return (
    <div className="admin cat">
      <h1>Components</h1>
      <p className="muted admin-small cat-lead">Who owns each part of the platform, who is on call for it now, and what is open against it.</p>
      <ListStates
        pending={list.isPending}
        items={list.data}
        error={list.error}
        empty={
          <Empty title="No components yet">
            <p className="muted">Every queue is a component; leads and admins create queues under Queues.</p>
          </Empty>
        }
      >
        {(items) => (
          <ListTable
            className="cat-table"
            head={
              <>
                <th>Component</th>
                <th>Team</th>
                <th>Escalation policy</th>
                <th>On call now</th>
                <th className="cat-num">Open tickets</th>
                <th className="cat-num">Open escalations</th>
              </>
            }
          >
            {items.map((c) => (
              <tr key={c.id} data-testid="component-row" data-component-id={c.id}>
                <td>
                  <Link to={`/components/${c.id}`} className="admin-strong">
                    {c.name}
                  </Link>
                  {c.description && <div className="muted admin-small cat-desc">{c.description}</div>}
                </td>
                <td data-testid="component-team">{c.team ? c.team.name : <span className="muted">No team</span>}</td>
                <td data-testid="component-policy">{c.escalation_policy ? c.escalation_policy.name : <span className="muted">None</span>}</td>
                <td>
                  <OnCallList onCall={c.on_call} />
                </td>
                <td className="cat-num" data-testid="component-open-tickets">
                  {c.open_tickets > 0 ? <Link to={queueViewPath(c)}>{c.open_tickets}</Link> : 0}
                </td>
                <td className="cat-num" data-testid="component-open-escalations">
                  {c.open_escalations > 0 ? <span className="cat-hot">{c.open_escalations}</span> : 0}
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </ListStates>
    </div>
  );
}
