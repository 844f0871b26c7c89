#include "catalog/catalog_service.h"

#include <algorithm>
#include <map>

namespace opsdesk::catalog {

Result<std::vector<Component>> CatalogService::List(const auth::Actor& actor) { return Load(actor, std::nullopt); }

Result<Component> CatalogService::Get(const auth::Actor& actor, int64_t id) {
  auto found = Load(actor, id);
  if (!found.ok()) return found.status();
  if (found->empty()) return Status::NotFound("component not found");
  Component c = std::move(found->front());
  // The knowledge base decides what the caller may read (its List rules), so
  // the catalog never restates them.
  OPSDESK_ASSIGN_OR_RETURN(auto articles, kb_.ListPublishedForComponent(actor, id, kMaxComponentSops));
  for (auto& a : articles) {
    c.sops.push_back(Sop{a.id, std::move(a.title), std::move(a.category), std::move(a.audience), a.updated_at});
  }
  return c;
}

Result<std::vector<Component>> CatalogService::Load(const auth::Actor& actor, std::optional<int64_t> only_id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only staff read the component catalog");
  std::vector<Component> out;
  std::map<int64_t, std::string> names;  // user id -> display name, for the on-call people
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    storage::Params params;
    std::string where;
    if (only_id) {
      where = " WHERE q.id = ?";
      params.emplace_back(*only_id);
    }
    // Open tickets count through tickets_status_queue; open escalations are few.
    auto rows = tx.Query(
        "SELECT q.id, q.name, q.description, q.team_id, t.name, q.escalation_policy_id, p.name, "
        "(SELECT COUNT(*) FROM tickets k WHERE k.queue_id = q.id AND k.status IN ('new', 'open', 'pending', "
        "'on_hold')), "
        "(SELECT COUNT(*) FROM escalations e JOIN tickets k ON k.id = e.ticket_id WHERE k.queue_id = q.id AND "
        "e.state IN ('triggered', 'acknowledged', 'unacknowledged')) "
        "FROM queues q LEFT JOIN teams t ON t.id = q.team_id "
        "LEFT JOIN escalation_policies p ON p.id = q.escalation_policy_id" +
            where,
        params);
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      Component c;
      c.id = r.Int(0);
      c.name = r.Text(1);
      c.description = r.OptText(2).value_or("");
      if (!r.IsNull(3)) c.team = NamedRef{r.Int(3), r.OptText(4).value_or("")};
      if (!r.IsNull(5)) c.escalation_policy = NamedRef{r.Int(5), r.OptText(6).value_or("")};
      c.open_tickets = r.Int(7);
      c.open_escalations = r.Int(8);
      out.push_back(std::move(c));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;

  // Who is on call, once per owning team (several components often share one).
  const TimestampMs now = clock_.NowMs();
  std::map<int64_t, std::vector<OnCallNow>> by_team;
  for (const auto& c : out) {
    if (!c.team || by_team.count(c.team->id)) continue;
    auto on_call = oncall_.TeamOnCall(actor, c.team->id, now);
    if (!on_call.ok()) return on_call.status();
    std::vector<OnCallNow> list;
    for (const auto& s : *on_call) {
      list.push_back(OnCallNow{s.schedule_id, s.schedule_name, s.user_id, "", s.until});
      if (s.user_id) names.emplace(*s.user_id, "");
    }
    by_team.emplace(c.team->id, std::move(list));
  }
  if (!names.empty()) {
    status = db_.Read([&](storage::Transaction& tx) -> Status {
      for (auto& [id, name] : names) {
        auto row = tx.QueryOne("SELECT display_name FROM users WHERE id = ?", {id});
        if (!row.ok()) return row.status();
        if (*row) name = (*row)->Text(0);
      }
      return Status::Ok();
    });
    if (!status.ok()) return status;
  }
  for (auto& c : out) {
    if (!c.team) continue;
    c.on_call = by_team[c.team->id];
    for (auto& o : c.on_call) {
      if (o.user_id) o.display_name = names[*o.user_id];
    }
  }
  // By bytes, as the views are: PostgreSQL's ORDER BY follows the collation.
  std::sort(out.begin(), out.end(), [](const Component& a, const Component& b) { return a.name < b.name; });
  return out;
}

}  // namespace opsdesk::catalog
