// /components/:id: one component: its owner, escalation policy, who is on
// call now, what is open and its SOPs (published knowledge base articles
// related to it); known problems join with the insights work.
import { Link, useParams } from "react-router";
import { ApiError } from "../api/client";
import { Empty, ErrorBanner, Loading } from "../components/States";
import { formatDate } from "../kb/shared";
import { OnCallList, queueViewPath, SopLinks, useComponent } from "./shared";
import "../admin/admin.css";
import "./catalog.css";

export default function ComponentDetail() {
  const { id: raw } = useParams();
  const id = Number(raw);
  const valid = Number.isInteger(id) && id > 0;
  const component = useComponent(valid ? id : 0);

  const back = (
    <Link to="/components" className="cat-back">
      ← All components
    </Link>
  );
  if (!valid || (component.error instanceof ApiError && component.error.status === 404)) {
    return (
      <div className="admin cat">
        {back}
        <Empty title="Component not found">
          <p className="muted">It may have been removed, or the link is wrong.</p>
        </Empty>
      </div>
    );
  }
  if (component.isPending) return <Loading />;
  if (!component.data) {
    return (
      <div className="admin cat">
        {back}
        <ErrorBanner error={component.error} />
      </div>
    );
  }
  const c = component.data;
  return (
    <div className="admin cat" data-testid="component-detail">
      {back}
      <h1>{c.name}</h1>
      {c.description && <p className="cat-lead">{c.description}</p>}
      <div className="cat-grid">
        <section className="panel" aria-labelledby="cat-owner">
          <h2 id="cat-owner">Ownership</h2>
          <dl className="cat-dl">
            <dt>Team</dt>
            <dd data-testid="component-team">{c.team ? c.team.name : <span className="muted">No team</span>}</dd>
            <dt>Escalation policy</dt>
            <dd data-testid="component-policy">
              {c.escalation_policy ? <Link to="/oncall/policies">{c.escalation_policy.name}</Link> : <span className="muted">None: only L2 escalations (to the leads)</span>}
            </dd>
            <dt>On call now</dt>
            <dd>
              <OnCallList onCall={c.on_call} />
            </dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="cat-open">
          <h2 id="cat-open">Open work</h2>
          <dl className="cat-dl">
            <dt>Open tickets</dt>
            <dd data-testid="component-open-tickets">
              {c.open_tickets} {c.open_tickets > 0 && <Link to={queueViewPath(c)}>View in workspace</Link>}
            </dd>
            <dt>Open escalations</dt>
            <dd data-testid="component-open-escalations">
              {c.open_escalations} {c.open_escalations > 0 && <Link to="/oncall/escalations">Open escalations</Link>}
            </dd>
          </dl>
        </section>
      </div>
      <section className="panel cat-sops" aria-labelledby="cat-sops" data-testid="component-sops">
        <h2 id="cat-sops">SOPs</h2>
        {c.sops && c.sops.length > 0 ? (
          <SopLinks sops={c.sops} detail={(s) => <span className="muted">{[s.category, s.audience === "public" ? "public" : "", `updated ${formatDate(s.updated_at)}`].filter(Boolean).join(" · ")}</span>} />
        ) : (
          <p className="muted" data-testid="component-sops-empty">
            No published SOPs for this component yet.{" "}
            {/* The catalog is staff only, and every staff member may write a draft. */}
            <Link to={`/kb/new?component=${c.id}`}>Write one</Link>
          </p>
        )}
        <p className="muted cat-note">Known problems for {c.name} arrive with the insights work.</p>
      </section>
    </div>
  );
}
