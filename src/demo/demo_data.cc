#include "demo/demo_data.h"

#include <spdlog/spdlog.h>

#include <array>
#include <random>

#include "auth/user_service.h"
#include "demo/demo_articles.h"
#include "kb/kb_service.h"
#include "kb/usage_service.h"
#include "queues/queue_service.h"
#include "search/search_service.h"
#include "tickets/ticket_service.h"

namespace opsdesk::demo {
namespace {

struct Component {
  const char* queue;
  const char* description;
  std::array<const char*, 6> subjects;
  std::array<const char*, 3> tags;
};

const std::array<Component, 5> kComponents = {{
    {"ingestion", "Batch and streaming ingestion into the lake",
     {"Kafka connector for orders topic stuck at offset", "CSV upload fails with 'unexpected delimiter'",
      "Daily S3 import missing yesterday's partition", "Schema evolution rejected for events table",
      "Ingestion lag above 30 minutes on clickstream", "How do I backfill a week of data?"},
     {"kafka", "backfill", "schema"}},
    {"query-engine", "Interactive SQL engine and BI connectors",
     {"Query times out after 5 minutes on sales_fact", "Dashboard shows stale numbers since this morning",
      "Error 'out of memory' when joining two large tables", "JDBC driver rejects our connection string",
      "Slow query on partitioned table despite filter", "How can I see the query plan?"},
     {"timeout", "performance", "jdbc"}},
    {"scheduler", "Workflow scheduler for pipelines",
     {"DAG run stuck in queued state", "Task retries forever after upstream failure",
      "Cron schedule fires one hour late after DST change", "Cannot clear failed task from the UI",
      "Pipeline did not trigger after dependency finished", "How do I pause a pipeline for maintenance?"},
     {"dag", "retry", "dst"}},
    {"access-control", "Permissions, roles and data access requests",
     {"Need read access to finance schema", "Service account lost its permissions",
      "Access request pending approval for a week", "Cannot see tables I had yesterday",
      "Row-level policy hides rows it should not", "How do I request access for a new teammate?"},
     {"access-request", "service-account", "policy"}},
    {"billing", "Cost reports, quotas and chargeback",
     {"Monthly cost report doubled unexpectedly", "Quota exceeded on team warehouse",
      "Chargeback assigned to the wrong cost center", "Need a budget alert for our project",
      "Storage costs for archived data too high", "How is compute usage billed?"},
     {"cost", "quota", "chargeback"}},
}};

const std::array<const char*, 6> kBodies = {
    "Since this morning we see the problem described in the subject. It worked last week.\n\n"
    "Steps:\n1. Open the job\n2. Run it again\n\nIt fails with the same error. Could you have a look?",
    "Hi team,\n\nwe depend on this for the **daily report** and it is now blocking us.\n\n"
    "```\nERROR: operation failed after 3 attempts\n```\n\nThanks!",
    "Not urgent, but we would like to understand what happened and how to avoid it.",
    "Our project `growth-analytics` is affected. Environment: production.\n\n- started around 09:00 UTC\n- "
    "affects all users of the team",
    "Following up on last week's conversation: the workaround helped, but the issue is back.",
    "Could you point me to the SOP for this? I could not find it in the knowledge base.",
};

const std::array<const char*, 5> kAgentReplies = {
    "Thanks for the report. I can reproduce it and am looking into the logs now.",
    "Could you share the job id and the exact time it failed? That will help us narrow it down.",
    "This is a known issue with the component; the engineering team is rolling out a fix. Workaround: rerun "
    "with a smaller batch size.",
    "I have applied the change on our side. Can you check whether it works for you now?",
    "I escalated this to the owning engineering team and will keep you posted here.",
};

const std::array<const char*, 3> kNotes = {
    "Looks like the same root cause as last week's incident. Checking with on-call.",
    "Requester is on the finance team; priority is justified because of month-end close.",
    "SOP step 4 did not apply here, the SOP needs an update.",
};

struct Person {
  const char* email;
  const char* name;
  const char* role;
  const char* tz;
};

const std::array<Person, 8> kStaff = {{
    {"admin@example.com", "Ada Admin", "admin", "UTC"},
    {"lead@example.com", "Lena Lead", "lead", "Europe/Berlin"},
    {"alice@example.com", "Alice Agent", "agent", "Europe/Berlin"},
    {"bob@example.com", "Bob Agent", "agent", "America/New_York"},
    {"carol@example.com", "Carol Agent", "agent", "Asia/Singapore"},
    {"dan@example.com", "Dan Agent", "agent", "Europe/London"},
    {"erin@example.com", "Erin Engineer", "agent", "Europe/Berlin"},
    {"frank@example.com", "Frank Engineer", "agent", "America/Los_Angeles"},
}};

const std::array<const char*, 16> kRequesterNames = {
    "Priya Patel", "Tom Becker", "Mina Sato", "Omar Haddad", "Julia Rossi", "Sven Larsen", "Chen Wei", "Ana Silva",
    "Lukas Novak", "Grace Okafor", "Noah Cohen", "Eva Horvath", "Ravi Kumar", "Lea Martin", "Ivan Petrov", "Sara Lind",
};

std::string EmailFor(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == ' ') out += '.';
    else out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out + "@data-platform.example.com";
}

}  // namespace

std::vector<DemoLogin> DemoLogins() {
  std::vector<DemoLogin> logins;
  for (const auto& p : kStaff) logins.push_back({p.email, p.role});
  logins.push_back({EmailFor(kRequesterNames[0]), "requester"});
  return logins;
}

Status LoadDemoData(storage::Database& db, TimestampMs now, int ticket_count) {
  bool has_users = false;
  OPSDESK_RETURN_IF_ERROR(db.Read([&](storage::Transaction& tx) -> Status {
    auto row = tx.QueryOne("SELECT COUNT(*) FROM users");
    if (!row.ok()) return row.status();
    has_users = (*row)->Int(0) > 0;
    return Status::Ok();
  }));
  if (has_users) return Status::Ok();

  constexpr int64_t kDay = 24LL * 3600 * 1000;
  ManualClock clock(now - 28 * kDay);
  auth::UserService users(db, clock);
  queues::QueueService queues(db, clock);
  tickets::TicketService tickets(db, clock);
  auth::Actor system = auth::Actor::System();
  std::mt19937_64 rng(20261125);  // fixed seed: the same data set every time
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  // The knowledge base's choices draw from their own sequence, so the tickets
  // are the same as before it existed (the browser tests rely on them).
  std::mt19937_64 kb_rng(20261202);
  auto kb_pick = [&](size_t n) { return static_cast<size_t>(kb_rng() % n); };
  // Moves the demo clock on, never past the real present.
  auto advance = [&](int64_t ms) { clock.Set(std::min(clock.NowMs() + ms, now)); };

  std::vector<auth::User> staff;
  for (const auto& p : kStaff) {
    auth::NewUser u{p.email, p.name, p.role, std::string(kDemoPassword), p.tz, true};
    auto created = users.Create(system, u);
    if (!created.ok()) return created.status();
    staff.push_back(*created);
  }
  std::vector<auth::User> requesters;
  for (const char* name : kRequesterNames) {
    auth::NewUser u{EmailFor(name), name, "requester", std::string(kDemoPassword), "UTC", true};
    auto created = users.Create(system, u);
    if (!created.ok()) return created.status();
    requesters.push_back(*created);
  }
  std::vector<int64_t> agent_ids;
  for (const auto& s : staff) {
    if (s.role == auth::Role::kAgent) agent_ids.push_back(s.id);
  }
  auto ops_team = queues.CreateTeam(system, {"user-ops", "Platform user operations", {staff[1].id, staff[2].id, staff[3].id, staff[4].id, staff[5].id}});
  if (!ops_team.ok()) return ops_team.status();
  for (const auto& c : kComponents) {
    std::string team_name = std::string(c.queue) + "-eng";
    auto team = queues.CreateTeam(system, {team_name, std::string("Engineering team owning ") + c.queue,
                                           {staff[6 + pick(2)].id}});
    if (!team.ok()) return team.status();
    auto queue = queues.CreateQueue(system, {c.queue, team->id, c.description});
    if (!queue.ok()) return queue.status();
  }

  // The knowledge base: written and published by the lead before the tickets
  // arrive, so solved tickets can be linked to the SOP that solved them.
  kb::KbService kb(db, clock);
  search::SearchService search(db);
  kb::UsageService usage(db, clock, kb, tickets);
  auth::Actor lead = auth::Actor::Of(staff[1]);
  for (const auto& a : DemoArticles()) {
    kb::ArticleInput in;
    in.title = a.title;
    in.body = a.body;
    in.audience = a.internal ? "internal" : "public";
    in.category = a.internal ? "SOP" : "How-to";
    auto created = kb.Create(lead, in);
    if (!created.ok()) return created.status();
    if (auto p = kb.Transition(lead, created->id, "published"); !p.ok()) return p.status();
  }

  // Tickets arrive spread over 28 days; older ones are more likely finished.
  const std::array<const char*, 4> priorities = {"low", "normal", "high", "urgent"};
  const std::array<int, 4> priority_weights = {20, 55, 20, 5};
  std::vector<int64_t> created_ids;
  for (int i = 0; i < ticket_count; ++i) {
    TimestampMs at = now - 28 * kDay + static_cast<int64_t>(i) * (27 * kDay) / ticket_count +
                     static_cast<int64_t>(pick(3600)) * 1000;
    clock.Set(at);
    const Component& c = kComponents[pick(kComponents.size())];
    const auth::User& requester = requesters[pick(requesters.size())];
    int roll = static_cast<int>(pick(100));
    size_t p = 0;
    for (int acc = priority_weights[0]; roll >= acc; acc += priority_weights[++p]) {}
    tickets::NewTicket nt;
    nt.subject = c.subjects[pick(c.subjects.size())];
    nt.body = kBodies[pick(kBodies.size())];
    nt.priority = priorities[p];
    nt.queue = tickets::QueueRef{std::nullopt, std::string(c.queue)};
    if (pick(2)) nt.tags.push_back(c.tags[pick(c.tags.size())]);
    auto created = tickets.Create(auth::Actor::Of(requester), nt);
    if (!created.ok()) return created.status();
    int64_t id = created->ticket.id;
    created_ids.push_back(id);

    double age_days = static_cast<double>(now - at) / kDay;
    // How far this ticket got: 0 new, 1 assigned, 2 replied, 3 pending, 4 solved, 5 closed.
    int stage = static_cast<int>(pick(4)) + (age_days > 3 ? 2 : 0) + (age_days > 14 ? 1 : 0);
    if (stage <= 0) continue;
    auto agent = auth::Actor{agent_ids[pick(agent_ids.size())], auth::Role::kAgent, false};
    advance(static_cast<int64_t>(5 + pick(90)) * 60 * 1000);
    tickets::TicketPatch assign;
    assign.assignee_id = std::optional<int64_t>(agent.user_id);
    if (auto r = tickets.Update(agent, id, assign); !r.ok()) return r.status();
    if (stage >= 2) {
      advance(static_cast<int64_t>(2 + pick(60)) * 60 * 1000);
      if (pick(3) == 0) {
        if (auto r = tickets.AddComment(agent, id, {kNotes[pick(kNotes.size())], true}); !r.ok()) return r.status();
      }
      if (auto r = tickets.AddComment(agent, id, {kAgentReplies[pick(kAgentReplies.size())], false}); !r.ok()) {
        return r.status();
      }
    }
    if (stage >= 3) {
      advance(static_cast<int64_t>(10 + pick(240)) * 60 * 1000);
      tickets::TicketPatch pending;
      pending.status = "pending";
      if (auto r = tickets.Update(agent, id, pending); !r.ok()) return r.status();
      advance(static_cast<int64_t>(30 + pick(600)) * 60 * 1000);
      if (auto r = tickets.AddComment(auth::Actor::Of(requester), id, {"Thanks, here are the details you asked for.", false});
          !r.ok()) {
        return r.status();
      }
    }
    if (stage >= 4) {
      advance(static_cast<int64_t>(30 + pick(900)) * 60 * 1000);
      tickets::TicketPatch solve;
      solve.status = "solved";
      if (auto r = tickets.Update(agent, id, solve); !r.ok()) return r.status();
      // Half the solved tickets say which article solved them (the rest are
      // the knowledge base's gaps); now and then the requester votes on it.
      if (kb_pick(2) == 0) {
        auto best = search.SuggestArticles(agent, nt.subject + "\n" + nt.body, 1, false);
        if (!best.ok()) return best.status();
        if (!best->empty()) {
          int64_t article = best->front().id;
          if (auto r = usage.Link(agent, id, article, "resolved_with"); !r.ok()) return r.status();
          if (best->front().audience == "public" && kb_pick(3) == 0) {
            auto vote = usage.RecordFeedback(auth::Actor::Of(requester), article, kb_pick(4) != 0, "");
            if (!vote.ok()) return vote.status();
          }
        }
      }
    }
    if (stage >= 5) {
      advance(3 * kDay);
      tickets::TicketPatch close;
      close.status = "closed";
      if (auto r = tickets.Update(agent, id, close); !r.ok()) return r.status();
    }
    // Now and then a ticket turns out to be related to an earlier one.
    if (created_ids.size() > 10 && pick(12) == 0) {
      int64_t other = created_ids[pick(created_ids.size() - 1)];
      if (auto r = tickets.AddLink(agent, id, {"related", other}); !r.ok()) return r.status();
    }
  }
  spdlog::info("loaded demo data: {} staff, {} requesters, {} tickets, {} articles", staff.size(), requesters.size(),
               ticket_count, DemoArticles().size());
  return Status::Ok();
}

}  // namespace opsdesk::demo
