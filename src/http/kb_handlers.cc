// The knowledge base (src/kb, docs/KB.md): articles, versions, diffs, states.
// Requesters read published public articles; a hidden article is 404 for them
// by every route.
#include "http/api.h"
#include "http/json_io.h"
#include "kb/kb_service.h"
#include "kb/usage_service.h"

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

object LinkJson(const kb::TicketArticleLink& l) {
  return object{{"ticket_id", l.ticket_id},
                {"article_id", l.article_id},
                {"article_title", l.article_title},
                {"article_audience", l.article_audience},
                {"article_version", l.article_version},
                {"kind", l.kind},
                {"linked_by", OptionalInt(l.linked_by)},
                {"linked_at", FormatTimestamp(l.linked_at)}};
}

object CountsJson(const kb::FeedbackCounts& c) {
  return object{{"helpful_count", c.helpful}, {"not_helpful_count", c.not_helpful}};
}

Response TicketNotFound(const CallContext& ctx) {
  return ErrorResponse(Status::NotFound("ticket not found"), ctx.request);
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

  // --- how articles are used (kb/usage_service.h)
  router.Add("POST", "/api/v1/tickets/{id}/articles", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return TicketNotFound(ctx);
    if (!ctx.actor().IsStaff()) {
      return ErrorResponse(Status::PermissionDenied("only staff link articles to tickets"), ctx.request);
    }
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"article_id", "kind"});
    auto article_id = in.Int("article_id", true);
    auto kind = in.String("kind", true);
    if (Status st = in.Finish("link is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto link = s.kb_usage.Link(ctx.actor(), *id, *article_id, *kind);
    if (!link.ok()) return ErrorResponse(link.status(), ctx.request);
    return JsonResponse(201, LinkJson(*link));
  });

  router.Add("GET", "/api/v1/tickets/{id}/articles", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return TicketNotFound(ctx);
    auto links = s.kb_usage.ListForTicket(ctx.actor(), *id);
    if (!links.ok()) return ErrorResponse(links.status(), ctx.request);
    array items;
    for (const auto& l : *links) items.push_back(LinkJson(l));
    return PageResponse(std::move(items), std::nullopt);
  });

  router.Add("DELETE", "/api/v1/tickets/{id}/articles/{article_id}", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    auto article_id = IdParam(ctx, "article_id");
    if (!id || !article_id) return TicketNotFound(ctx);
    Status st = s.kb_usage.Unlink(ctx.actor(), *id, *article_id);
    if (!st.ok()) return ErrorResponse(st, ctx.request);
    return NoContent();
  });

  router.Add("POST", "/api/v1/tickets/{id}/draft-article", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return TicketNotFound(ctx);
    auto draft = s.kb_usage.DraftFromTicket(ctx.actor(), *id);
    if (!draft.ok()) return ErrorResponse(draft.status(), ctx.request);
    return ArticleResponse(201, *draft, true);
  });

  router.Add("GET", "/api/v1/articles/{id}/usage", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto usage = s.kb_usage.Usage(ctx.actor(), *id);
    if (!usage.ok()) return ErrorResponse(usage.status(), ctx.request);
    array recent;
    for (const auto& u : usage->recent) {
      recent.push_back(object{{"ticket_id", u.ticket_id},
                              {"subject", u.subject},
                              {"status", u.status},
                              {"kind", u.kind},
                              {"article_version", u.article_version},
                              {"linked_by", OptionalInt(u.linked_by)},
                              {"linked_at", FormatTimestamp(u.linked_at)}});
    }
    return JsonResponse(200, object{{"ticket_count", usage->ticket_count}, {"recent", std::move(recent)}});
  });

  router.Add("POST", "/api/v1/articles/{id}/feedback", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return ErrorResponse(body.status(), ctx.request);
    FieldReader in(*body, {"helpful", "comment"});
    auto helpful = in.Bool("helpful");
    if (!helpful && !in.Has("helpful")) in.AddError("helpful", "is required");
    auto comment = in.String("comment");
    if (Status st = in.Finish("feedback is not valid"); !st.ok()) return ErrorResponse(st, ctx.request);
    auto counts = s.kb_usage.RecordFeedback(ctx.actor(), *id, *helpful, comment.value_or(""));
    if (!counts.ok()) return ErrorResponse(counts.status(), ctx.request);
    return JsonResponse(201, CountsJson(*counts));
  });

  router.Add("GET", "/api/v1/articles/{id}/feedback", [&s](CallContext& ctx) {
    auto id = IdParam(ctx);
    if (!id) return NotFound(ctx);
    auto feedback = s.kb_usage.Feedback(ctx.actor(), *id);
    if (!feedback.ok()) return ErrorResponse(feedback.status(), ctx.request);
    array items;
    for (const auto& f : feedback->items) {
      items.push_back(object{{"user_id", f.user_id},
                             {"helpful", f.helpful},
                             {"comment", f.comment},
                             {"article_version", f.article_version},
                             {"at", FormatTimestamp(f.at)}});
    }
    object out = CountsJson(feedback->counts);
    out["items"] = std::move(items);
    out["next_cursor"] = nullptr;
    return JsonResponse(200, out);
  });

  router.Add("GET", "/api/v1/kb/gaps", [&s](CallContext& ctx) {
    std::map<std::string, std::string> errors;
    int days = IntQueryParam(ctx.request, "days", 1, kb::kMaxGapDays, errors).value_or(30);
    if (!errors.empty()) return ErrorResponse(Status::InvalidArgument("invalid query", errors), ctx.request);
    auto gaps = s.kb_usage.Gaps(ctx.actor(), days);
    if (!gaps.ok()) return ErrorResponse(gaps.status(), ctx.request);
    array groups;
    for (const auto& g : gaps->groups) {
      groups.push_back(object{{"queue", OptionalString(g.queue)},
                              {"tag", OptionalString(g.tag)},
                              {"count", g.count},
                              {"ticket_ids", ToArray(g.ticket_ids)}});
    }
    return JsonResponse(200, object{{"days", gaps->days}, {"total", gaps->total}, {"groups", std::move(groups)}});
  });

  // The portal's suggestion sessions (deflection).
  auto read_session = [](const CallContext& ctx, const char* id_field, std::string* session, int64_t* id) {
    auto body = ParseJsonObject(ctx.request);
    if (!body.ok()) return body.status();
    FieldReader in(*body, {"session", id_field});
    auto s_value = in.String("session", true);
    auto id_value = in.Int(id_field, true);
    OPSDESK_RETURN_IF_ERROR(in.Finish("request is not valid"));
    *session = *s_value;
    *id = *id_value;
    return Status::Ok();
  };
  router.Add("POST", "/api/v1/deflection/views", [&s, read_session](CallContext& ctx) {
    std::string session;
    int64_t article_id = 0;
    if (Status st = read_session(ctx, "article_id", &session, &article_id); !st.ok()) {
      return ErrorResponse(st, ctx.request);
    }
    Status st = s.kb_usage.RecordSuggestionView(ctx.actor(), session, article_id);
    if (!st.ok()) return ErrorResponse(st, ctx.request);
    return NoContent();
  });
  router.Add("POST", "/api/v1/deflection/filed", [&s, read_session](CallContext& ctx) {
    std::string session;
    int64_t ticket_id = 0;
    if (Status st = read_session(ctx, "ticket_id", &session, &ticket_id); !st.ok()) {
      return ErrorResponse(st, ctx.request);
    }
    Status st = s.kb_usage.RecordFiled(ctx.actor(), session, ticket_id);
    if (!st.ok()) return ErrorResponse(st, ctx.request);
    return NoContent();
  });
  router.Add("GET", "/api/v1/deflection", [&s](CallContext& ctx) {
    std::map<std::string, std::string> errors;
    int days = IntQueryParam(ctx.request, "days", 1, kb::kMaxGapDays, errors).value_or(30);
    if (!errors.empty()) return ErrorResponse(Status::InvalidArgument("invalid query", errors), ctx.request);
    auto stats = s.kb_usage.Deflection(ctx.actor(), days);
    if (!stats.ok()) return ErrorResponse(stats.status(), ctx.request);
    return JsonResponse(200, object{{"days", stats->days},
                                    {"sessions", stats->sessions},
                                    {"filed", stats->filed},
                                    {"deflected", stats->deflected},
                                    {"open", stats->open},
                                    {"rate", stats->rate ? boost::json::value(*stats->rate) : nullptr}});
  });
}

}  // namespace opsdesk::http
