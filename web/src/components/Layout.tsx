// The frame around every signed-in page: header with navigation by role and
// the search box, and the page in <main>.
import { NavLink, Outlet, useNavigate } from "react-router";
import { isStaff, useAuth } from "../auth";
import { useLive } from "../live";
import { SearchBox } from "../search/SearchBox";

export function Layout() {
  const { user, signOut } = useAuth();
  const { connected } = useLive();
  const navigate = useNavigate();
  if (!user) return null;
  const staff = isStaff(user);
  const manager = user.role === "lead" || user.role === "admin";

  return (
    <div className="app">
      <header className="app-header">
        <NavLink to="/" className="brand">
          opsdesk
        </NavLink>
        <nav aria-label="Main">
          {staff ? (
            <>
              <NavLink to="/agent/views/mine">Workspace</NavLink>
              <NavLink to="/oncall">On-call</NavLink>
              <NavLink to="/components">Components</NavLink>
              <NavLink to="/kb">Knowledge base</NavLink>
            </>
          ) : (
            <>
              <NavLink to="/portal" end>
                My tickets
              </NavLink>
              <NavLink to="/portal/new">New ticket</NavLink>
            </>
          )}
          {manager && (
            <>
              <NavLink to="/admin/users">Users</NavLink>
              <NavLink to="/admin/teams">Teams</NavLink>
              <NavLink to="/admin/queues">Queues</NavLink>
              <NavLink to="/admin/sla">SLA</NavLink>
              {/* The webhooks API is admins' only. */}
              {user.role === "admin" && <NavLink to="/admin/webhooks">Webhooks</NavLink>}
            </>
          )}
          <NavLink to="/settings/notifications">Notifications</NavLink>
          <NavLink to="/settings/tokens">API tokens</NavLink>
        </nav>
        <SearchBox staff={staff} />
        <div className="header-user">
          <span
            className={`live-dot ${connected ? "on" : "off"}`}
            title={connected ? "Live updates connected" : "Live updates reconnecting"}
            aria-label={connected ? "Live updates connected" : "Live updates reconnecting"}
          />
          <span className="user-name" data-testid="current-user">
            {user.display_name}
          </span>
          <button
            type="button"
            className="link-button"
            onClick={async () => {
              await signOut();
              navigate("/login");
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main className="app-main">
        <Outlet />
      </main>
    </div>
  );
}
