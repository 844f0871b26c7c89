// Routes. Pages are split by audience so the requester portal never loads the
// agent workspace's code and vice versa.
import { createElement, lazy, Suspense, type ComponentType, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation, useParams } from "react-router";
import { isStaff, useAuth } from "./auth";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import { LiveProvider } from "./live";

// A lazily loaded page whose chunk can be fetched ahead of time. Once loaded it
// renders directly, without suspending: React holds a revealed Suspense
// fallback for at least 300 ms, which would otherwise dominate page loads.
function page(factory: () => Promise<{ default: ComponentType }>) {
  let loaded: ComponentType | undefined;
  let pending: Promise<unknown> | undefined;
  const load = () =>
    (pending ??= factory().then((m) => {
      loaded = m.default;
      return m;
    }));
  const Lazy = lazy(() => load() as Promise<{ default: ComponentType }>);
  const Page = () => (loaded ? createElement(loaded) : <Lazy />);
  return Object.assign(Page, { load });
}

const SignIn = page(() => import("./pages/SignIn"));
const NotFound = page(() => import("./pages/NotFound"));
const Tokens = page(() => import("./pages/Tokens"));
const PortalHome = page(() => import("./portal/PortalHome"));
const PortalNewTicket = page(() => import("./portal/NewTicket"));
const PortalTicket = page(() => import("./portal/PortalTicket"));
const Workspace = page(() => import("./agent/Workspace"));
const AgentTicket = page(() => import("./agent/AgentTicket"));
const AdminUsers = page(() => import("./admin/Users"));
const AdminTeams = page(() => import("./admin/Teams"));
const AdminQueues = page(() => import("./admin/Queues"));
const AdminSla = page(() => import("./admin/Sla"));
const AdminWebhooks = page(() => import("./admin/Webhooks"));
const OnCallSchedules = page(() => import("./oncall/Schedules"));
const OnCallPolicies = page(() => import("./oncall/Policies"));
const OnCallEscalations = page(() => import("./oncall/Escalations"));
const OnCallRules = page(() => import("./oncall/Rules"));
const Components = page(() => import("./catalog/Components"));
const ComponentDetail = page(() => import("./catalog/ComponentDetail"));
const Preferences = page(() => import("./pages/Preferences"));
const KbArticles = page(() => import("./kb/Articles"));
const KbArticle = page(() => import("./kb/ArticlePage"));
const KbEditor = page(() => import("./kb/Editor"));
const KbGaps = page(() => import("./kb/Gaps"));
const PortalArticle = page(() => import("./portal/PortalArticle"));
const Search = page(() => import("./search/SearchPage"));

// Start fetching the pages the first screen needs while /me is in flight.
const first = window.location.pathname;
if (first === "/login") SignIn.load();
else if (first.startsWith("/agent/tickets/")) AgentTicket.load();
else if (first.startsWith("/agent") || first === "/") Workspace.load();
else if (first.startsWith("/portal/tickets/")) PortalTicket.load();
else if (first.startsWith("/portal/kb/")) PortalArticle.load();
else if (first === "/search") Search.load();
else if (first === "/portal/new") PortalNewTicket.load();
else if (first.startsWith("/portal")) PortalHome.load();

function RequireUser({ staff, admin, children }: { staff?: boolean; admin?: boolean; children: ReactNode }) {
  const { user, loading, signedOut } = useAuth();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) {
    const next = signedOut ? "" : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  if (staff && !isStaff(user)) return <NotFound />;
  if (admin && user.role !== "admin" && user.role !== "lead") return <NotFound />;
  return <>{children}</>;
}

function Home() {
  const { user, loading } = useAuth();
  if (loading) return <Loading />;
  if (!user) return <Navigate to="/login" replace />;
  if (!isStaff(user)) PortalHome.load();
  return <Navigate to={isStaff(user) ? "/agent/views/mine" : "/portal"} replace />;
}

// /kb/:id for everyone: staff get the knowledge base's article page, requesters
// the portal's read-only one (links to articles in replies say /kb/ID).
function ArticleRoute() {
  const { user } = useAuth();
  const { id } = useParams();
  if (!isStaff(user)) return <Navigate to={`/portal/kb/${id}`} replace />;
  return <KbArticle />;
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
          <Route path="/portal/kb/:id" element={<PortalArticle />} />
          <Route path="/search" element={<Search />} />
          <Route path="/agent" element={<Navigate to="/agent/views/mine" replace />} />
          <Route path="/agent/views/:viewId" element={<RequireUser staff><Workspace /></RequireUser>} />
          <Route path="/agent/tickets/:id" element={<RequireUser staff><AgentTicket /></RequireUser>} />
          <Route path="/admin/users" element={<RequireUser admin><AdminUsers /></RequireUser>} />
          <Route path="/admin/teams" element={<RequireUser admin><AdminTeams /></RequireUser>} />
          <Route path="/admin/queues" element={<RequireUser admin><AdminQueues /></RequireUser>} />
          <Route path="/admin/sla" element={<RequireUser admin><AdminSla /></RequireUser>} />
          <Route path="/admin/webhooks" element={<RequireUser admin><AdminWebhooks /></RequireUser>} />
          <Route path="/oncall" element={<RequireUser staff><OnCallSchedules /></RequireUser>} />
          <Route path="/oncall/policies" element={<RequireUser staff><OnCallPolicies /></RequireUser>} />
          <Route path="/oncall/escalations" element={<RequireUser staff><OnCallEscalations /></RequireUser>} />
          <Route path="/oncall/rules" element={<RequireUser staff><OnCallRules /></RequireUser>} />
          <Route path="/components" element={<RequireUser staff><Components /></RequireUser>} />
          <Route path="/components/:id" element={<RequireUser staff><ComponentDetail /></RequireUser>} />
          <Route path="/kb" element={<RequireUser staff><KbArticles /></RequireUser>} />
          <Route path="/kb/new" element={<RequireUser staff><KbEditor /></RequireUser>} />
          <Route path="/kb/gaps" element={<RequireUser admin><KbGaps /></RequireUser>} />
          <Route path="/kb/:id" element={<ArticleRoute />} />
          <Route path="/kb/:id/edit" element={<RequireUser staff><KbEditor /></RequireUser>} />
          <Route path="/settings/tokens" element={<Tokens />} />
          <Route path="/settings/notifications" element={<Preferences />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
