// The knowledge base (src/kb, docs/KB.md): articles, versions, diffs, states.
// Requesters read published public articles; a hidden article is 404 for them
// by every route.
#include "http/api.h"
#include "http/json_io.h"
#include "kb/kb_service.h"

namespace opsdesk::http {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

template <typename T>
array ToArray(const std::vector<T>& items) {
  array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

object ArticleJson(const kb::Article& a, bool staff) {
  object o{{"id", a.id},
           {"title", a.title},
           {"body", a.body},
           {"body_html", a.body_html},
           {"category", a.category},
           {"audience", a.audience},
           {"state", a.state},
           {"tags", ToArray(a.tags)},
           {"queue_ids", ToArray(a.queue_ids)},
           {"version", a.version},
           {"updated_at", FormatTimestamp(a.updated_at)},
           {"published_at", OptionalTime(a.published_at)}};
  if (staff) {  // who owns and reviews it is internal bookkeeping
    o["owner_id"] = OptionalInt(a.owner_id);
    o["review_interval_days"] = a.review_interval_days;
    o["reviewed_at"] = OptionalTime(a.reviewed_at);
    o["review_due_at"] = OptionalTime(a.review_due_at);
    o["created_by"] = OptionalInt(a.created_by);
    o["created_at"] = FormatTimestamp(a.created_at);
  }
  return o;
}

Response ArticleResponse(int status, const kb::Article& a, bool staff) {
  Response response = JsonResponse(status, ArticleJson(a, staff));
  response.headers.emplace_back("ETag", "\"" + std::to_string(a.version) + "\"");
  return response;
}

object VersionJson(const kb::ArticleVersion& v) {
  return object{{"article_id", v.article_id},
                {"version", v.version},
                {"title", v.title},
                {"body", v.body},
                {"category", v.category},
                {"audience", v.audience},
                {"tags", ToArray(v.tags)},
                {"queue_ids", ToArray(v.queue_ids)},
                {"author_id", OptionalInt(v.author_id)},
                {"note", v.note},
                {"created_at", FormatTimestamp(v.created_at)}};
}

Response NotFound(const CallContext& ctx) { return ErrorResponse(Status::NotFound("article not found"), ctx.request); }

Result<kb::ArticleInput> ReadArticle(const CallContext& ctx) {
  auto body = ParseJsonObject(ctx.request);
  if (!body.ok()) return body.status();
  FieldReader in(*body, {"title", "body", "category", "audience", "tags", "queue_ids", "owner_id",
                         "review_interval_days"});
  kb::ArticleInput input;
  input.title = in.String("title");
  input.body = in.String("body");
  input.category = in.String("category");
  input.audience = in.String("audience");
  input.tags = in.StringArray("tags");
  input.queue_ids = in.IdArray("queue_ids");
  input.owner_id = in.Int("owner_id");
  if (auto days = in.Int("review_interval_days")) {
    if (*days < 1 || *days > 3650) in.AddError("review_interval_days", "must be 1 to 3650 days");
    else input.review_interval_days = static_cast<int>(*days);
  }
  if (auto if_match = ctx.request.Header("If-Match")) {
    auto version = ParseIfMatch(*if_match);
    if (!version) in.AddError("If-Match", "must be the article's version, e.g. \"3\"");
    else input.expected_version = static_cast<int>(*version);
  }
  OPSDESK_RETURN_IF_ERROR(in.Finish("article is not valid"));
  return input;
}

std::optional<int> VersionParam(const CallContext& ctx, const char* name) {
  auto it = ctx.params.find(name);
  if (it == ctx.params.end()) return std::nullopt;
  auto v = ParsePositive(it->second);
  if (!v || *v > 1'000'000) return std::nullopt;
  return static_cast<int>(*v);
}

}  // namespace

void RegisterKbRoutes(Router& router, ApiServices& services) {
  ApiServices& s = services;

  router.Add("POST", "/api/v1/articles", [&s](CallContext& ctx) {
    if (!ctx.actor().IsStaff()) {
      return ErrorResponse(Status::PermissionDenied("only staff write articles"), ctx.request);
    }
    auto input = ReadArticle(ctx);
    if (!input.ok()) return ErrorResponse(input.status(), ctx.request);
    auto created = s.kb.Create(ctx.actor(), *input);
    if (!created.ok()) return ErrorResponse(created.status(), ctx.request);
    return ArticleResponse(201, *created, true);
  });

  router.Add("GET", "/api/v1/articles", [&s](CallContext& ctx) {
    const Request& req = ctx.request;
    kb::ArticleFilter f;
    std::map<std::string, std::string> errors;
    if (Status st = ReadPaging(req, &f.limit, &f.cursor); !st.ok()) return ErrorResponse(st, req);
    f.state = req.QueryParam("state");
    f.audience = req.QueryParam("audience");
    f.category = req.QueryParam("category");
    f.tag = req.QueryParam("tag");
    if (auto v = req.QueryParam("queue")) {
      f.queue_id = ParsePositive(*v);
      if (!f.queue_id) errors["queue"] = "must be a queue id";
    }
    if (auto v = req.QueryParam("owner")) {
      if (*v == "me") f.owner_id = ctx.actor().user_id;
      else if (!(f.owner_id = ParsePositive(*v))) errors["owner"] = "must be me or a user id";
    }
    if (auto v = req.QueryParam("stale")) {
      if (*v == "true") f.stale = true;
      else if (*v != "false") errors["stale"] = "must be true or false";
    }
    if (!errors.empty()) return ErrorResponse(Status::InvalidArgument("invalid query", errors), req);
    auto page = s.kb.List(ctx.actor(), f);
    if (!page.ok()) return ErrorResponse(page.status(), req);
    array items;
    for (const auto& a : page->items) items.push_back(ArticleJson(a, ctx.actor().IsStaff()));
    return PageResponse(std::move(items), page->next_cursor);
  });

  router.Add("GET", "/api/v1/articles/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto a = s.kb.Get(ctx.actor(), *id);
    if (!a.ok()) return ErrorResponse(a.status(), ctx.request);
    return ArticleResponse(200, *a, ctx.actor().IsStaff());
  });

  router.Add("PATCH", "/api/v1/articles/{id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    if (!ctx.actor().IsStaff()) return NotFound(ctx);  // before the body: nothing to learn
    auto input = ReadArticle(ctx);
    if (!input.ok()) return ErrorResponse(input.status(), ctx.request);
    auto a = s.kb.Update(ctx.actor(), *id, *input);
    if (!a.ok()) return ErrorResponse(a.status(), ctx.request);
    return ArticleResponse(200, *a, true);
  });

  router.Add("POST", "/api/v1/articles/{id}/state", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    if (!ctx.actor().IsStaff()) return NotFound(ctx);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"state"});
    auto to = in.String("state", true);
    if (Status st = in.Finish("state change is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto a = s.kb.Transition(ctx.actor(), *id, *to);
    if (!a.ok()) return ErrorResponse(a.status(), ctx.request);
    return ArticleResponse(200, *a, true);
  });

  router.Add("POST", "/api/v1/articles/{id}/reviewed", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto a = s.kb.MarkReviewed(ctx.actor(), *id);
    if (!a.ok()) return ErrorResponse(a.status(), ctx.request);
    return ArticleResponse(200, *a, true);
  });

  router.Add("GET", "/api/v1/articles/{id}/versions", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto versions = s.kb.ListVersions(ctx.actor(), *id);
    if (!versions.ok()) return ErrorResponse(versions.status(), ctx.request);
    array items;
    for (const auto& v : *versions) items.push_back(VersionJson(v));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("GET", "/api/v1/articles/{id}/versions/{version}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    auto version = VersionParam(ctx, "version");
    if (!id || !version) return NotFound(ctx);
    auto v = s.kb.GetVersion(ctx.actor(), *id, *version);
    if (!v.ok()) return ErrorResponse(v.status(), ctx.request);
    return JsonResponse(200, VersionJson(*v));
  });

  router.Add("POST", "/api/v1/articles/{id}/versions/{version}/restore", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    auto version = VersionParam(ctx, "version");
    if (!id || !version) return NotFound(ctx);
    auto a = s.kb.Restore(ctx.actor(), *id, *version);
    if (!a.ok()) return ErrorResponse(a.status(), ctx.request);
    return ArticleResponse(200, *a, true);
  });

  router.Add("GET", "/api/v1/articles/{id}/diff", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    std::map<std::string, std::string> errors;
    auto read = [&](const char* name) -> int {
      auto v = ctx.request.QueryParam(name);
      auto n = v ? ParsePositive(*v) : std::nullopt;
      if (!n || *n > 1'000'000) errors[name] = "must be a version number";
      return n ? static_cast<int>(*n) : 0;
    };
    int from = read("from"), to = read("to");
    if (!errors.empty()) {
      // Requesters learn nothing from a bad query either.
      if (!ctx.actor().IsStaff()) return NotFound(ctx);
      return ErrorResponse(Status::InvalidArgument("invalid query", errors), ctx.request);
    }
    auto d = s.kb.Diff(ctx.actor(), *id, from, to);
    if (!d.ok()) return ErrorResponse(d.status(), ctx.request);
    array fields, lines;
    for (const auto& f : d->fields) {
      fields.push_back(object{{"field", f.field}, {"before", f.before}, {"after", f.after}});
    }
    for (const auto& l : d->body) lines.push_back(object{{"op", kb::DiffOpName(l.op)}, {"text", l.text}});
    return JsonResponse(200, object{{"article_id", d->article_id},
                                    {"from", d->from_version},
                                    {"to", d->to_version},
                                    {"fields", std::move(fields)},
                                    {"body", std::move(lines)}});
  });

  router.Add("GET", "/api/v1/articles/{id}/events", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto events = s.kb.ListEvents(ctx.actor(), *id);
    if (!events.ok()) return ErrorResponse(events.status(), ctx.request);
    array items;
    for (const auto& e : *events) {
      items.push_back(object{{"id", e.id},
                             {"actor_id", OptionalInt(e.actor_id)},
                             {"at", FormatTimestamp(e.at)},
                             {"kind", e.kind},
                             {"before", OptionalString(e.before)},
                             {"after", OptionalString(e.after)}});
    }
    return PageResponse(std::move(items), std::nullopt);
  });
}

}  // namespace opsdesk::http
