// Search (src/search, docs/SEARCH.md): one search over tickets and articles,
// and article suggestions for what a requester is typing or a ticket an agent
// is working. Permissions are the search service's; nothing is filtered here.
#include "common/text.h"
#include "http/api.h"
#include "http/json_io.h"
#include "search/search_service.h"

namespace opsdesk::http {
namespace {

using boost::json::array;
using boost::json::object;

constexpr size_t kMaxSuggestionTextBytes = 4000;

object HitJson(const search::SearchHit& hit) {
  object o{{"type", hit.type},
           {"id", hit.id},
           {"title", hit.title},
           {"snippet", hit.snippet_html},
           {"score", hit.score},
           {"status", hit.status},
           {"updated_at", FormatTimestamp(hit.updated_at)}};
  if (hit.type == "ticket") o["queue"] = OptionalString(hit.queue);
  else o["audience"] = OptionalString(hit.audience);
  return o;
}

// A true/false query parameter; adds a field error for anything else.
bool BoolParam(const Request& req, const char* name, std::map<std::string, std::string>& errors) {
  auto v = req.QueryParam(name);
  if (!v || *v == "false" || *v == "0") return false;
  if (*v == "true" || *v == "1") return true;
  errors[name] = "must be true or false";
  return false;
}


Response HitsResponse(const std::vector<search::SearchHit>& hits) {
  array items;
  for (const auto& hit : hits) items.push_back(HitJson(hit));
  return PageResponse(std::move(items), std::nullopt);
}

}  // namespace

void RegisterSearchRoutes(Router& router, ApiServices& services) {
  ApiServices& s = services;

  router.Add("GET", "/api/v1/search", [&s](CallContext& ctx) {
    const Request& req = ctx.request;
    std::map<std::string, std::string> errors;
    search::SearchRequest request;
    auto q = req.QueryParam("q");
    if (!q) errors["q"] = "is required";
    request.q = q.value_or("");
    request.as_you_type = BoolParam(req, "as_you_type", errors);
    request.limit = IntQueryParam(req, "limit", 1, search::kMaxSearchLimit, errors).value_or(search::kDefaultSearchLimit);
    request.cursor = req.QueryParam("cursor");
    if (!errors.empty()) return ErrorResponse(Status::InvalidArgument("invalid query", errors), req);
    auto page = s.search.Search(ctx.actor(), request);
    if (!page.ok()) return ErrorResponse(page.status(), req);
    array items;
    for (const auto& hit : page->items) items.push_back(HitJson(hit));
    return PageResponse(std::move(items), page->next_cursor);
  });

  // What a requester is typing in the new-ticket form (subject and
  // description), or any free text: published articles that may answer it.
  router.Add("GET", "/api/v1/search/suggestions", [&s](CallContext& ctx) {
    const Request& req = ctx.request;
    std::map<std::string, std::string> errors;
    auto text = req.QueryParam("q");
    if (!text) errors["q"] = "is required";
    else if (text->size() > kMaxSuggestionTextBytes) {
      errors["q"] = "must be at most " + std::to_string(kMaxSuggestionTextBytes) + " bytes";
    }
    bool as_you_type = BoolParam(req, "as_you_type", errors);
    int limit = IntQueryParam(req, "limit", 1, search::kMaxSuggestions, errors).value_or(5);
    if (!errors.empty()) return ErrorResponse(Status::InvalidArgument("invalid query", errors), req);
    auto hits = s.search.SuggestArticles(ctx.actor(), *text, limit, as_you_type);
    if (!hits.ok()) return ErrorResponse(hits.status(), req);
    return HitsResponse(*hits);
  });

  // The agent's side panel: SOPs and public articles for this ticket.
  router.Add("GET", "/api/v1/tickets/{id}/suggested-articles", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
    if (!ctx.actor().IsStaff()) {
      return ErrorResponse(Status::PermissionDenied("article suggestions are for staff"), ctx.request);
    }
    std::map<std::string, std::string> errors;
    int limit = IntQueryParam(ctx.request, "limit", 1, search::kMaxSuggestions, errors).value_or(5);
    if (!errors.empty()) return ErrorResponse(Status::InvalidArgument("invalid query", errors), ctx.request);
    auto ticket = s.tickets.Get(ctx.actor(), *id);
    if (!ticket.ok()) return ErrorResponse(ticket.status(), ctx.request);
    std::string text = ticket->subject + "\n" + std::string(Utf8Prefix(ticket->body, kMaxSuggestionTextBytes));
    auto hits = s.search.SuggestArticles(ctx.actor(), text, limit, false);
    if (!hits.ok()) return ErrorResponse(hits.status(), ctx.request);
    return HitsResponse(*hits);
  });
}

}  // namespace opsdesk::http
