// Routes. Pages are split by audience so the requester portal never loads the
// agent workspace's code and vice versa.
import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { isStaff, useAuth } from "./auth";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import { LiveProvider } from "./live";

const SignIn = lazy(() => import("./pages/SignIn"));
const NotFound = lazy(() => import("./pages/NotFound"));
const Tokens = lazy(() => import("./pages/Tokens"));
const PortalHome = lazy(() => import("./portal/PortalHome"));
const PortalNewTicket = lazy(() => import("./portal/NewTicket"));
const PortalTicket = lazy(() => import("./portal/PortalTicket"));
const Workspace = lazy(() => import("./agent/Workspace"));
const AgentTicket = lazy(() => import("./agent/AgentTicket"));
const AdminUsers = lazy(() => import("./admin/Users"));
const AdminTeams = lazy(() => import("./admin/Teams"));
const AdminQueues = lazy(() => import("./admin/Queues"));

function RequireUser({ staff, admin, children }: { staff?: boolean; admin?: boolean; children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (staff && !isStaff(user)) return <NotFound />;
  if (admin && user.role !== "admin" && user.role !== "lead") return <NotFound />;
  return <>{children}</>;
}

function Home() {
  const { user, loading } = useAuth();
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/login" replace />;
  return <Navigate to={isStaff(user) ? "/agent/views/mine" : "/portal"} replace />;
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<SignIn />} />
        <Route
          element={
            <RequireUser>
              <LiveProvider>
                <Layout />
              </LiveProvider>
            </RequireUser>
          }
        >
          <Route path="/" element={<Home />} />
          <Route path="/portal" element={<PortalHome />} />
          <Route path="/portal/new" element={<PortalNewTicket />} />
          <Route path="/portal/tickets/:id" element={<PortalTicket />} />
          <Route path="/agent" element={<Navigate to="/agent/views/mine" replace />} />
          <Route path="/agent/views/:viewId" element={<RequireUser staff><Workspace /></RequireUser>} />
          <Route path="/agent/tickets/:id" element={<RequireUser staff><AgentTicket /></RequireUser>} />
          <Route path="/admin/users" element={<RequireUser admin><AdminUsers /></RequireUser>} />
          <Route path="/admin/teams" element={<RequireUser admin><AdminTeams /></RequireUser>} />
          <Route path="/admin/queues" element={<RequireUser admin><AdminQueues /></RequireUser>} />
          <Route path="/settings/tokens" element={<Tokens />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
