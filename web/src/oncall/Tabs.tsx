// Tabs between the on-call pages.
import { NavLink } from "react-router";

export function OnCallTabs() {
  return (
    <nav className="oc-tabs" aria-label="On-call">
      <NavLink to="/oncall" end>
        Schedules
      </NavLink>
      <NavLink to="/oncall/policies">Escalation policies</NavLink>
      <NavLink to="/oncall/escalations">Open escalations</NavLink>
      <NavLink to="/oncall/rules">Rules</NavLink>
    </nav>
  );
}
