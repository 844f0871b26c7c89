// A realistic, deterministic demo data set: users of every role, teams, queues for
// platform components and a few hundred tickets over the past four weeks with
// comments, assignments, status changes and links, a published knowledge base
// (src/demo/demo_articles.h) that half the solved tickets are linked to, all
// written through the services so every change has its events.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::demo {

struct DemoLogin {
  std::string email;
  std::string role;
};

// The password every demo account has.
constexpr const char* kDemoPassword = "opsdesk-demo";

// Loads the data set unless the database already has users. `now` anchors the
// time line; the content does not depend on it.
Status LoadDemoData(storage::Database& db, TimestampMs now, int ticket_count = 300);

// The accounts the README and `run` print.
std::vector<DemoLogin> DemoLogins();

}  // namespace opsdesk::demo
