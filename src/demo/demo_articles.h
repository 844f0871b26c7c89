// The demo knowledge base: 30 articles and SOPs a data platform's user
// operations team keeps (access, queries, Spark, Airflow, quotas, billing, ...),
// published by the demo data and used as the fixed corpus of the search
// ranking test (src/search/ranking_test.cc).
#pragma once

#include <span>

namespace opsdesk::demo {

struct DemoArticle {
  const char* key;  // a stable name for tests
  const char* title;
  const char* body;  // Markdown
  bool internal;     // an SOP for staff; otherwise public (requesters read it)
};

std::span<const DemoArticle> DemoArticles();

}  // namespace opsdesk::demo
