#include "tickets/ticket_service.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include "auth/user_service.h"
#include "common/random.h"
#include "common/text.h"
#include "queues/queue_service.h"
#include "tickets/ticket_store.h"

namespace opsdesk::tickets {
namespace {

using auth::Actor;
using FieldErrors = std::map<std::string, std::string>;

std::optional<int64_t> ActorId(const Actor& actor) {
  return actor.is_system ? std::nullopt : std::optional<int64_t>(actor.user_id);
}

// A ticket the actor may not see is reported as missing, never as forbidden.
bool CanSee(const Actor& actor, const Ticket& ticket) {
  return actor.IsStaff() || ticket.requester.id == actor.user_id;
}

// Tickets without a due time last; the same expression as the ticket_sla_due_due
// index (migration 0014), which the sort walks with d.ticket_id as tie-break.
constexpr const char* kSlaDueOrder = "COALESCE(d.due_at, 9223372036854775807)";

// The SLA is an internal commitment: requesters never see its due times.
Ticket ForActor(const Actor& actor, Ticket ticket) {
  if (!actor.IsStaff()) {
    ticket.sla_due_at.reset();
    ticket.sla_warn_at.reset();
  }
  return ticket;
}

Result<Ticket> LoadVisible(storage::Transaction& tx, const Actor& actor, int64_t id, bool with_links) {
  auto loaded = store::LoadTicket(tx, id, with_links);
  if (!loaded.ok()) return loaded.status();
  if (!*loaded || !CanSee(actor, **loaded)) return Status::NotFound("ticket " + std::to_string(id) + " not found");
  return **loaded;
}

std::string CheckSubject(const std::string& subject) {
  if (!subject.empty() && Trim(subject).empty()) return "must not be blank";
  return TextFieldProblem(subject, 1, kMaxSubjectChars, false);
}

std::string CheckBody(const std::string& body) {
  if (body.size() > kMaxBodyBytes) return "must be at most 64 KiB";
  if (Trim(body).empty()) return "must not be empty";
  return TextFieldProblem(body, 1, kMaxBodyBytes, true);
}

// Lower-cases, validates, de-duplicates and sorts tags.
std::vector<std::string> NormalizeTags(const std::vector<std::string>& raw, FieldErrors& errors) {
  std::set<std::string> tags;
  for (const auto& t : raw) {
    std::string tag = ToLowerAscii(Trim(t));
    bool ok = !tag.empty() && tag.size() <= kMaxTagChars;
    for (char c : tag) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':' ||
                  c == '/');
    }
    if (!ok) {
      errors["tags"] = "each tag must be 1-50 characters of a-z, 0-9, '-', '_', '.', ':' or '/'";
      return {};
    }
    tags.insert(tag);
  }
  if (tags.size() > kMaxTags) errors["tags"] = "at most 20 tags";
  return {tags.begin(), tags.end()};
}

// Tags to add to or remove from a ticket's current set: normalised like tags,
// without the per-ticket limit (that applies to the result). Errors go to `field`.
std::vector<std::string> NormalizeTagEdit(const std::vector<std::string>& raw, const std::string& field,
                                          FieldErrors& errors) {
  if (raw.empty()) return {};
  FieldErrors tag_errors;
  std::vector<std::string> tags = NormalizeTags(raw, tag_errors);
  if (tags.empty() && tag_errors.count("tags")) errors[field] = tag_errors["tags"];
  if (tags.size() > kMaxTags) errors[field] = "at most 20 tags";
  return tags;
}

Result<std::optional<queues::Queue>> ResolveQueue(storage::Transaction& tx, const QueueRef& ref) {
  auto found = ref.id ? queues::QueueService::FindQueue(tx, *ref.id)
                      : queues::QueueService::FindQueueByName(tx, ref.name.value_or(""));
  if (!found.ok()) return found.status();
  if (!*found) return Status::InvalidArgument("ticket is not valid", {{"queue", "no such queue"}});
  return found;
}

TicketEvent Event(int64_t ticket_id, const Actor& actor, TimestampMs at, std::string kind,
                  std::optional<std::string> field, std::optional<std::string> before,
                  std::optional<std::string> after, bool is_internal = false) {
  return TicketEvent{0,     ticket_id,         ActorId(actor),   at, std::move(kind), std::move(field),
                     std::move(before), std::move(after), is_internal};
}

std::optional<std::string> IdText(const std::optional<int64_t>& id) {
  return id ? std::optional<std::string>(std::to_string(*id)) : std::nullopt;
}

std::string RequestHash(const NewTicket& in) {
  std::string canonical = in.subject + '\x1f' + in.body + '\x1f' + in.priority.value_or("") + '\x1f';
  if (in.queue) canonical += in.queue->id ? std::to_string(*in.queue->id) : "n:" + in.queue->name.value_or("");
  canonical += '\x1f' + store::JoinTags(in.tags) + '\x1f' + in.requester_email.value_or("");
  return Sha256Hex(canonical);
}

// Finds the requester by e-mail, creating a requester account (without a password)
// for an address the desk has not seen, as help desks do for e-mailed tickets.
Result<int64_t> ResolveRequester(storage::Transaction& tx, const std::string& email, TimestampMs now) {
  auto found = auth::UserService::FindByEmail(tx, email);
  if (!found.ok()) return found.status();
  if (*found) return (*found)->id;
  std::string address = Trim(email);
  std::string name = address.substr(0, address.find('@'));
  auto row = tx.QueryOne(
      "INSERT INTO users (email, email_norm, display_name, role, is_active, time_zone, created_at, updated_at) "
      "VALUES (?, ?, ?, 'requester', 1, 'UTC', ?, ?) RETURNING id",
      {address, ToLowerAscii(address), name, now, now});
  if (!row.ok()) return row.status();
  return (*row)->Int(0);
}

bool DecodeIdCursor(const std::optional<std::string>& cursor, int64_t* after_id, Status* error) {
  *after_id = 0;
  if (!cursor) return true;
  std::string ignored;
  if (!DecodeCursor(*cursor, &ignored, after_id)) {
    *error = Status::InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this server issued"}});
    return false;
  }
  return true;
}

}  // namespace

std::optional<TicketSort> ParseTicketSort(std::string_view text) {
  if (text == "-updated_at") return TicketSort::kUpdatedDesc;
  if (text == "updated_at") return TicketSort::kUpdatedAsc;
  if (text == "-created_at") return TicketSort::kCreatedDesc;
  if (text == "created_at") return TicketSort::kCreatedAsc;
  if (text == "-id") return TicketSort::kIdDesc;
  if (text == "id") return TicketSort::kIdAsc;
  if (text == "sla_due_at") return TicketSort::kSlaDueAsc;
  return std::nullopt;
}

std::optional<SlaFilter> ParseSlaFilter(std::string_view text) {
  if (text == "at_risk") return SlaFilter::kAtRisk;
  if (text == "breached") return SlaFilter::kBreached;
  return std::nullopt;
}

Result<CreateOutcome> TicketService::Create(const Actor& actor, const NewTicket& input,
                                            const std::optional<std::string>& idempotency_key) {
  FieldErrors errors;
  if (auto p = CheckSubject(input.subject); !p.empty()) errors["subject"] = p;
  if (auto p = CheckBody(input.body); !p.empty()) errors["body"] = p;
  Priority priority = Priority::kNormal;
  if (input.priority) {
    auto parsed = ParsePriority(*input.priority);
    if (!parsed) errors["priority"] = "must be one of low, normal, high, urgent";
    priority = parsed.value_or(Priority::kNormal);
  }
  std::vector<std::string> tags = NormalizeTags(input.tags, errors);
  // Valid UTF-8 as UserService::Create requires: otherwise SQLite stores a user
  // with a garbled address and PostgreSQL fails the insert as an internal error.
  if (input.requester_email &&
      (!IsValidUtf8(*input.requester_email) || !LooksLikeEmail(Trim(*input.requester_email)))) {
    errors["requester_email"] = "must be a valid e-mail address";
  }
  if (idempotency_key && (idempotency_key->empty() || idempotency_key->size() > 255 ||
                          !TextFieldProblem(*idempotency_key, 1, 255, false).empty())) {
    errors["Idempotency-Key"] = "must be 1-255 printable characters";
  }
  if (idempotency_key && actor.is_system) {
    // Keys are stored per user; the system actor is nobody.
    errors["Idempotency-Key"] = "is only accepted from signed-in users";
  }
  if (!errors.empty()) return Status::InvalidArgument("ticket is not valid", errors);
  if (input.requester_email && !actor.IsStaff()) {
    return Status::PermissionDenied("requesters file tickets for themselves only");
  }
  if (actor.is_system && !input.requester_email) {
    return Status::InvalidArgument("ticket is not valid", {{"requester_email", "required for system actors"}});
  }
  std::string request_hash = idempotency_key ? RequestHash(input) : "";

  CreateOutcome outcome;
  auto attempt = [&]() {
    return db_.Write([&](storage::Transaction& tx) -> Status {
      outcome.replayed = false;
      if (idempotency_key) {
        auto prior = tx.QueryOne("SELECT request_hash, response_body FROM idempotency_keys WHERE user_id = ? AND idem_key = ?",
                                 {actor.user_id, *idempotency_key});
        if (!prior.ok()) return prior.status();
        if (*prior) {
          if ((*prior)->Text(0) != request_hash) {
            return Status::Conflict("Idempotency-Key was already used for a different request");
          }
          auto ticket = LoadVisible(tx, actor, std::stoll((*prior)->Text(1)), true);
          if (!ticket.ok()) return ticket.status();
          outcome.ticket = *ticket;
          outcome.replayed = true;
          return Status::Ok();
        }
      }
      TimestampMs now = clock_.NowMs();
      Ticket t;
      t.subject = input.subject;
      t.body = input.body;
      t.priority = priority;
      t.tags = tags;
      t.created_at = t.updated_at = now;
      if (input.queue) {
        auto queue = ResolveQueue(tx, *input.queue);
        if (!queue.ok()) return queue.status();
        t.queue_id = (*queue)->id;
      }
      if (input.requester_email) {
        auto requester = ResolveRequester(tx, *input.requester_email, now);
        if (!requester.ok()) return requester.status();
        t.requester.id = *requester;
      } else {
        t.requester.id = actor.user_id;
      }
      auto id = store::InsertTicket(tx, t);
      if (!id.ok()) return id.status();
      // The created event carries the initial values, so history can be replayed
      // from events alone.
      std::string initial = "status=new priority=" + std::string(PriorityName(priority)) +
                            " queue=" + (t.queue_id ? std::to_string(*t.queue_id) : "") +
                            " requester=" + std::to_string(t.requester.id) + " tags=" + store::JoinTags(tags);
      OPSDESK_RETURN_IF_ERROR(store::AppendEvent(tx, Event(*id, actor, now, "created", std::nullopt, std::nullopt, initial)));
      if (idempotency_key) {
        OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status_code, "
                                        "response_body, created_at) VALUES (?, ?, ?, 201, ?, ?)",
                                        {actor.user_id, *idempotency_key, request_hash, std::to_string(*id), now})
                                    .status());
      }
      auto ticket = store::LoadTicket(tx, *id, true);
      if (!ticket.ok()) return ticket.status();
      outcome.ticket = **ticket;
      for (auto* outbox : outboxes_) OPSDESK_RETURN_IF_ERROR(outbox->OnTicketCreated(tx, outcome.ticket));
      return Status::Ok();
    });
  };
  Status status = attempt();
  // Two retries racing on PostgreSQL: the loser's key insert conflicts and rolls
  // back; running again finds the winner's result.
  if (status.code() == StatusCode::kConflict && idempotency_key && status.message().find("Idempotency") == std::string::npos) {
    status = attempt();
  }
  if (!status.ok()) return status;
  if (!outcome.replayed) {
    Announce({outcome.ticket.id, outcome.ticket.requester.id, ActorId(actor), "created", false});
  }
  outcome.ticket = ForActor(actor, std::move(outcome.ticket));
  return outcome;
}

Result<Ticket> TicketService::Get(const Actor& actor, int64_t id) {
  Ticket ticket;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto loaded = LoadVisible(tx, actor, id, true);
    if (!loaded.ok()) return loaded.status();
    ticket = std::move(*loaded);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return ForActor(actor, std::move(ticket));
}

Result<Page<Ticket>> TicketService::List(const Actor& actor, const TicketFilter& filter) {
  std::string where = "WHERE 1 = 1";
  storage::Params params;
  std::optional<int64_t> requester_id = filter.requester_id;
  if (!actor.IsStaff()) {
    // A requester's list is their own tickets, whatever the filter says.
    if (requester_id && *requester_id != actor.user_id) return Page<Ticket>{};
    requester_id = actor.user_id;
  }
  if (!filter.statuses.empty()) {
    where += " AND t.status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      where += i ? ", ?" : "?";
      params.emplace_back(StatusName(filter.statuses[i]));
    }
    where += ")";
  }
  // Filter values come from URL query parameters and may be any bytes. Queue
  // names and tags are ASCII, so invalid UTF-8 matches nothing; answer that here,
  // because PostgreSQL refuses such a parameter outright (an internal error)
  // where SQLite would simply find no rows.
  if ((filter.tag && !IsValidUtf8(*filter.tag)) ||
      (filter.queue && !filter.queue->id && !IsValidUtf8(filter.queue->name.value_or("")))) {
    return Page<Ticket>{};
  }
  if (filter.queue) {
    if (filter.queue->id) {
      where += " AND t.queue_id = ?";
      params.emplace_back(*filter.queue->id);
    } else {
      where += " AND t.queue_id = (SELECT id FROM queues WHERE name = ?)";
      params.emplace_back(filter.queue->name.value_or(""));
    }
  }
  if (filter.unassigned) {
    where += " AND t.assignee_id IS NULL";
  } else if (filter.assignee_id) {
    where += " AND t.assignee_id = ?";
    params.emplace_back(*filter.assignee_id);
  }
  if (requester_id) {
    where += " AND t.requester_id = ?";
    params.emplace_back(*requester_id);
  }
  if (filter.priority) {
    where += " AND t.priority = ?";
    params.emplace_back(PriorityName(*filter.priority));
  }
  if (filter.tag) {
    where += " AND t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = ?)";
    params.emplace_back(ToLowerAscii(*filter.tag));
  }
  if (filter.updated_since) {
    where += " AND t.updated_at >= ?";
    params.emplace_back(*filter.updated_since);
  }
  if (filter.sla == SlaFilter::kAtRisk) {
    where += " AND d.warn_at <= ?";
    params.emplace_back(clock_.NowMs());
  } else if (filter.sla == SlaFilter::kBreached) {
    where += " AND d.due_at < ?";  // past due, as the clocks count it
    params.emplace_back(clock_.NowMs());
  }

  const char* column = "t.updated_at";
  bool descending = true;
  switch (filter.sort) {
    case TicketSort::kUpdatedDesc: break;
    case TicketSort::kUpdatedAsc: descending = false; break;
    case TicketSort::kCreatedDesc: column = "t.created_at"; break;
    case TicketSort::kCreatedAsc: column = "t.created_at"; descending = false; break;
    case TicketSort::kIdDesc: column = "t.id"; break;
    case TicketSort::kIdAsc: column = "t.id"; descending = false; break;
    case TicketSort::kSlaDueAsc: column = kSlaDueOrder; descending = false; break;
  }
  bool by_id = std::string_view(column) == "t.id";
  // By due: the tie-break names ticket_sla_due's own column (equal to t.id), so
  // SQLite sees that ticket_sla_due_due gives the order.
  const bool by_due = filter.sort == TicketSort::kSlaDueAsc;
  const std::string id_column = by_due ? "d.ticket_id" : "t.id";
  if (filter.cursor) {
    std::string sort_value;
    int64_t after_id = 0;
    if (!DecodeCursor(*filter.cursor, &sort_value, &after_id)) {
      return Status::InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this server issued"}});
    }
    const char* op = descending ? "<" : ">";
    if (by_id) {
      where += std::string(" AND t.id ") + op + " ?";
      params.emplace_back(after_id);
    } else {
      // Keyset pagination: strictly after the last row in (sort column, id) order.
      where += std::string(" AND (") + column + " " + op + " ? OR (" + column + " = ? AND " + id_column + " " + op +
               " ?))";
      int64_t value = std::atoll(sort_value.c_str());
      params.emplace_back(value);
      params.emplace_back(value);
      params.emplace_back(after_id);
    }
  }
  std::string dir = descending ? " DESC" : " ASC";
  std::string order =
      by_id ? "ORDER BY t.id" + dir : std::string("ORDER BY ") + column + dir + ", " + id_column + dir;

  Page<Ticket> page;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto tickets = store::QueryTickets(tx, where, params, order, filter.limit + 1,
                                       by_due ? store::DueJoin::kInner : store::DueJoin::kLeft);
    if (!tickets.ok()) return tickets.status();
    page.items = std::move(*tickets);
    if (!actor.IsStaff()) {
      for (auto& t : page.items) t = ForActor(actor, std::move(t));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.items.size()) > filter.limit) {
    page.items.resize(filter.limit);
    const Ticket& last = page.items.back();
    int64_t value = filter.sort == TicketSort::kSlaDueAsc    ? last.sla_due_at.value_or(INT64_MAX)
                    : std::string_view(column) == "t.created_at" ? last.created_at
                                                                 : last.updated_at;
    page.next_cursor = EncodeCursor(by_id ? "" : std::to_string(value), last.id);
  }
  return page;
}

Result<Ticket> TicketService::Update(const Actor& actor, int64_t id, const TicketPatch& patch) {
  FieldErrors errors;
  if (patch.subject) {
    if (auto p = CheckSubject(*patch.subject); !p.empty()) errors["subject"] = p;
  }
  std::optional<TicketStatus> new_status;
  if (patch.status) {
    new_status = ParseStatus(*patch.status);
    if (!new_status) errors["status"] = "must be one of new, open, pending, on_hold, solved, closed";
  }
  std::optional<Priority> new_priority;
  if (patch.priority) {
    new_priority = ParsePriority(*patch.priority);
    if (!new_priority) errors["priority"] = "must be one of low, normal, high, urgent";
  }
  std::vector<std::string> new_tags;
  if (patch.tags) new_tags = NormalizeTags(*patch.tags, errors);
  std::vector<std::string> added_tags = NormalizeTagEdit(patch.add_tags, "add_tags", errors);
  std::vector<std::string> removed_tags = NormalizeTagEdit(patch.remove_tags, "remove_tags", errors);
  if (patch.tags && (!patch.add_tags.empty() || !patch.remove_tags.empty())) {
    errors["tags"] = "cannot be combined with add_tags or remove_tags";
  }
  if (!errors.empty()) return Status::InvalidArgument("ticket change is not valid", errors);

  Ticket result;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(store::LockTickets(tx, {id}));
    auto loaded = LoadVisible(tx, actor, id, false);
    if (!loaded.ok()) return loaded.status();
    Ticket before = *loaded;
    if (!actor.IsStaff()) {
      // Requesters may only mark their own ticket solved.
      bool only_status = patch.status && !patch.subject && !patch.priority && !patch.queue && !patch.assignee_id &&
                         !patch.tags && patch.add_tags.empty() && patch.remove_tags.empty();
      if (!only_status || *new_status != TicketStatus::kSolved) {
        return Status::PermissionDenied("requesters can only mark their ticket solved");
      }
    }
    if (patch.expected_version && *patch.expected_version != before.version) {
      return Status::PreconditionFailed("ticket was changed by someone else (version " +
                                        std::to_string(before.version) + "); reload and retry");
    }
    Ticket after = before;
    if (patch.subject) after.subject = *patch.subject;
    if (new_status) after.status = *new_status;
    if (new_priority) after.priority = *new_priority;
    if (patch.tags) after.tags = new_tags;
    if (!added_tags.empty() || !removed_tags.empty()) {
      std::set<std::string> edited(after.tags.begin(), after.tags.end());
      edited.insert(added_tags.begin(), added_tags.end());
      for (const auto& tag : removed_tags) edited.erase(tag);
      if (edited.size() > kMaxTags) {
        return Status::InvalidArgument("ticket change is not valid", {{"add_tags", "a ticket has at most 20 tags"}});
      }
      after.tags.assign(edited.begin(), edited.end());
    }
    if (patch.queue) {
      if (*patch.queue) {
        auto queue = ResolveQueue(tx, **patch.queue);
        if (!queue.ok()) return queue.status();
        after.queue_id = (*queue)->id;
      } else {
        after.queue_id.reset();
      }
    }
    if (patch.assignee_id) {
      if (*patch.assignee_id) {
        auto user = auth::UserService::FindById(tx, **patch.assignee_id);
        if (!user.ok()) return user.status();
        if (!*user || !(*user)->is_active || (*user)->role == auth::Role::kRequester) {
          return Status::InvalidArgument("ticket change is not valid",
                                         {{"assignee_id", "must be an active agent, lead or admin"}});
        }
        after.assignee = PersonRef{(*user)->id, (*user)->email, (*user)->display_name};
      } else {
        after.assignee.reset();
      }
    }
    // Assigning a new ticket means someone is on it.
    if (after.assignee && !before.assignee && before.status == TicketStatus::kNew && !new_status) {
      after.status = TicketStatus::kOpen;
    }
    bool assignee_changed = (before.assignee ? before.assignee->id : 0) != (after.assignee ? after.assignee->id : 0);
    bool changed = after.subject != before.subject || after.status != before.status ||
                   after.priority != before.priority || after.queue_id != before.queue_id || assignee_changed ||
                   after.tags != before.tags;
    if (!changed) {
      result = before;
      return Status::Ok();
    }
    if (before.status == TicketStatus::kClosed) {
      return Status::FailedPrecondition("ticket is closed; file a follow-up ticket instead");
    }
    if (!IsAllowedTransition(before.status, after.status)) {
      return Status::InvalidArgument("ticket change is not valid",
                                     {{"status", std::string("cannot change from ") + StatusName(before.status) +
                                                     " to " + StatusName(after.status)}});
    }
    TimestampMs now = clock_.NowMs();
    after.updated_at = now;
    auto updated = store::UpdateTicketRow(tx, after, before.version);
    if (!updated.ok()) return updated.status();
    if (!*updated) return Status::PreconditionFailed("ticket was changed by someone else; reload and retry");
    if (after.tags != before.tags) OPSDESK_RETURN_IF_ERROR(store::ReplaceTags(tx, id, after.tags));

    auto field_event = [&](const char* field, std::optional<std::string> b, std::optional<std::string> a) {
      return store::AppendEvent(tx, Event(id, actor, now, "field_changed", field, std::move(b), std::move(a)));
    };
    if (after.subject != before.subject) OPSDESK_RETURN_IF_ERROR(field_event("subject", before.subject, after.subject));
    if (after.status != before.status) {
      OPSDESK_RETURN_IF_ERROR(field_event("status", StatusName(before.status), StatusName(after.status)));
    }
    if (after.priority != before.priority) {
      OPSDESK_RETURN_IF_ERROR(field_event("priority", PriorityName(before.priority), PriorityName(after.priority)));
    }
    if (after.queue_id != before.queue_id) {
      OPSDESK_RETURN_IF_ERROR(field_event("queue_id", IdText(before.queue_id), IdText(after.queue_id)));
    }
    if (assignee_changed) {
      OPSDESK_RETURN_IF_ERROR(field_event(
          "assignee_id", IdText(before.assignee ? std::optional<int64_t>(before.assignee->id) : std::nullopt),
          IdText(after.assignee ? std::optional<int64_t>(after.assignee->id) : std::nullopt)));
    }
    if (after.tags != before.tags) {
      OPSDESK_RETURN_IF_ERROR(field_event("tags", store::JoinTags(before.tags), store::JoinTags(after.tags)));
    }
    for (auto* outbox : outboxes_) OPSDESK_RETURN_IF_ERROR(outbox->OnTicketUpdated(tx, before, after));
    auto reloaded = store::LoadTicket(tx, id, true);
    if (!reloaded.ok()) return reloaded.status();
    result = **reloaded;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  Announce({result.id, result.requester.id, ActorId(actor), "updated", false});
  return ForActor(actor, std::move(result));
}

Result<Comment> TicketService::AddComment(const Actor& actor, int64_t ticket_id, const NewComment& input) {
  if (auto p = CheckBody(input.body); !p.empty()) {
    return Status::InvalidArgument("comment is not valid", {{"body", p}});
  }
  if (input.is_internal && !actor.IsStaff()) {
    return Status::PermissionDenied("only agents can write internal notes");
  }
  Comment comment;
  int64_t requester_id = 0;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(store::LockTickets(tx, {ticket_id}));
    auto loaded = LoadVisible(tx, actor, ticket_id, false);
    if (!loaded.ok()) return loaded.status();
    const Ticket& ticket = *loaded;
    requester_id = ticket.requester.id;
    if (ticket.status == TicketStatus::kClosed) {
      return Status::FailedPrecondition("ticket is closed; file a follow-up ticket instead");
    }
    auto author = auth::UserService::FindById(tx, actor.user_id);
    if (!author.ok()) return author.status();
    if (!*author) return Status::FailedPrecondition("comments need a real user as author");
    TimestampMs now = clock_.NowMs();
    Comment c;
    c.ticket_id = ticket_id;
    c.author = PersonRef{(*author)->id, (*author)->email, (*author)->display_name};
    c.body = input.body;
    c.is_internal = input.is_internal;
    c.created_at = now;
    auto inserted = store::InsertComment(tx, c);
    if (!inserted.ok()) return inserted.status();
    comment = *inserted;
    OPSDESK_RETURN_IF_ERROR(store::AppendEvent(tx, Event(ticket_id, actor, now, "comment_added",
                                                         input.is_internal ? "internal_note" : "reply", std::nullopt,
                                                         std::to_string(comment.id), input.is_internal)));
    // A requester answering reopens a ticket that waited on them or was solved;
    // an agent's first public reply means the ticket is being worked.
    std::optional<TicketStatus> next;
    bool is_requester_reply = ticket.requester.id == actor.user_id && !input.is_internal;
    if (is_requester_reply &&
        (ticket.status == TicketStatus::kPending || ticket.status == TicketStatus::kSolved)) {
      next = TicketStatus::kOpen;
    } else if (actor.IsStaff() && !input.is_internal && ticket.status == TicketStatus::kNew) {
      next = TicketStatus::kOpen;
    }
    if (next) {
      OPSDESK_RETURN_IF_ERROR(
          tx.Exec("UPDATE tickets SET status = ? WHERE id = ?", {StatusName(*next), ticket_id}).status());
      OPSDESK_RETURN_IF_ERROR(store::AppendEvent(
          tx, Event(ticket_id, actor, now, "field_changed", "status", StatusName(ticket.status), StatusName(*next))));
    }
    for (auto* outbox : outboxes_) OPSDESK_RETURN_IF_ERROR(outbox->OnCommentAdded(tx, ticket, comment));
    return store::TouchTicket(tx, ticket_id, now);
  });
  if (!status.ok()) return status;
  Announce({ticket_id, requester_id, ActorId(actor), "commented", input.is_internal});
  return comment;
}

namespace {

// Pages through rows that belong to one ticket (comments, events) by id, after
// checking the actor may see the ticket. `load` reads up to `limit` rows after
// `after_id`, including internal ones only for staff.
template <typename T, typename Load>
Result<Page<T>> ListTicketRows(storage::Database& db, const Actor& actor, int64_t ticket_id,
                               const std::optional<std::string>& cursor, int limit, Load load) {
  int64_t after_id;
  Status error;
  if (!DecodeIdCursor(cursor, &after_id, &error)) return error;
  Page<T> page;
  Status status = db.Read([&](storage::Transaction& tx) -> Status {
    auto ticket = LoadVisible(tx, actor, ticket_id, false);
    if (!ticket.ok()) return ticket.status();
    auto rows = load(tx, ticket_id, after_id, actor.IsStaff(), limit + 1);
    if (!rows.ok()) return rows.status();
    page.items = std::move(*rows);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.resize(limit);
    page.next_cursor = EncodeCursor("", page.items.back().id);
  }
  return page;
}

}  // namespace

Result<Page<Comment>> TicketService::ListComments(const Actor& actor, int64_t ticket_id,
                                                  std::optional<std::string> cursor, int limit) {
  return ListTicketRows<Comment>(db_, actor, ticket_id, cursor, limit, store::LoadComments);
}

Result<Page<TicketEvent>> TicketService::ListEvents(const Actor& actor, int64_t ticket_id,
                                                    std::optional<std::string> cursor, int limit) {
  return ListTicketRows<TicketEvent>(db_, actor, ticket_id, cursor, limit, store::LoadEvents);
}

namespace {

std::optional<std::string> InverseLinkKind(const std::string& kind) {
  if (kind == "duplicate_of") return "duplicated_by";
  if (kind == "related") return "related";
  if (kind == "parent") return "child";
  if (kind == "child") return "parent";
  return std::nullopt;
}

// Writes a link in both directions with an event on each ticket; a link that
// already exists is left as it is.
Status LinkBothWays(storage::Transaction& tx, const Actor& actor, int64_t ticket_id, const std::string& kind,
                    int64_t other_id, TimestampMs now) {
  std::string inverse = *InverseLinkKind(kind);
  auto inserted = store::InsertLink(tx, ticket_id, kind, other_id, ActorId(actor), now);
  if (!inserted.ok()) return inserted.status();
  if (!*inserted) return Status::Ok();
  auto inverse_inserted = store::InsertLink(tx, other_id, inverse, ticket_id, ActorId(actor), now);
  if (!inverse_inserted.ok()) return inverse_inserted.status();
  OPSDESK_RETURN_IF_ERROR(
      store::AppendEvent(tx, Event(ticket_id, actor, now, "linked", kind, std::nullopt, std::to_string(other_id))));
  OPSDESK_RETURN_IF_ERROR(
      store::AppendEvent(tx, Event(other_id, actor, now, "linked", inverse, std::nullopt, std::to_string(ticket_id))));
  OPSDESK_RETURN_IF_ERROR(store::TouchTicket(tx, ticket_id, now));
  return store::TouchTicket(tx, other_id, now);
}

}  // namespace

Result<Ticket> TicketService::AddLink(const Actor& actor, int64_t ticket_id, const NewLink& input) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only agents can link tickets");
  FieldErrors errors;
  if (!InverseLinkKind(input.kind)) errors["kind"] = "must be one of duplicate_of, related, parent, child";
  if (input.other_ticket_id == ticket_id) errors["ticket_id"] = "a ticket cannot link to itself";
  if (!errors.empty()) return Status::InvalidArgument("link is not valid", errors);
  Ticket result;
  int64_t other_requester_id = 0;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(store::LockTickets(tx, {ticket_id, input.other_ticket_id}));
    auto ticket = LoadVisible(tx, actor, ticket_id, false);
    if (!ticket.ok()) return ticket.status();
    auto other = store::LoadTicket(tx, input.other_ticket_id, false);
    if (!other.ok()) return other.status();
    if (!*other) return Status::InvalidArgument("link is not valid", {{"ticket_id", "no such ticket"}});
    OPSDESK_RETURN_IF_ERROR(LinkBothWays(tx, actor, ticket_id, input.kind, input.other_ticket_id, clock_.NowMs()));
    other_requester_id = (*other)->requester.id;
    auto reloaded = store::LoadTicket(tx, ticket_id, true);
    if (!reloaded.ok()) return reloaded.status();
    result = **reloaded;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  Announce({ticket_id, result.requester.id, ActorId(actor), "linked", false});
  Announce({input.other_ticket_id, other_requester_id, ActorId(actor), "linked", false});
  return result;
}

Result<Ticket> TicketService::Merge(const Actor& actor, int64_t source_id, int64_t target_id) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only agents can merge tickets");
  if (source_id == target_id) {
    return Status::InvalidArgument("merge is not valid", {{"target_id", "a ticket cannot be merged into itself"}});
  }
  Ticket result;
  int64_t source_requester_id = 0;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    OPSDESK_RETURN_IF_ERROR(store::LockTickets(tx, {source_id, target_id}));
    auto source = LoadVisible(tx, actor, source_id, false);
    if (!source.ok()) return source.status();
    auto target = store::LoadTicket(tx, target_id, false);
    if (!target.ok()) return target.status();
    if (!*target) return Status::InvalidArgument("merge is not valid", {{"target_id", "no such ticket"}});
    if (source->status == TicketStatus::kClosed) return Status::FailedPrecondition("a closed ticket cannot be merged");
    if ((*target)->status == TicketStatus::kClosed) {
      return Status::InvalidArgument("merge is not valid", {{"target_id", "the target ticket is closed"}});
    }
    TimestampMs now = clock_.NowMs();
    auto moved = tx.Exec("UPDATE comments SET ticket_id = ?, moved_from_ticket_id = ? WHERE ticket_id = ?",
                         {target_id, source_id, source_id});
    if (!moved.ok()) return moved.status();
    OPSDESK_RETURN_IF_ERROR(store::AppendEvent(
        tx, Event(source_id, actor, now, "merged_into", "ticket", std::nullopt, std::to_string(target_id))));
    OPSDESK_RETURN_IF_ERROR(store::AppendEvent(
        tx, Event(target_id, actor, now, "merged_from", "ticket", std::nullopt, std::to_string(source_id))));
    if (*moved > 0) {
      OPSDESK_RETURN_IF_ERROR(store::AppendEvent(tx, Event(target_id, actor, now, "comments_moved", "count",
                                                           std::nullopt, std::to_string(*moved))));
    }
    source_requester_id = source->requester.id;
    Ticket closed = *source;
    closed.status = TicketStatus::kClosed;
    closed.updated_at = now;
    auto updated = store::UpdateTicketRow(tx, closed, source->version);
    if (!updated.ok()) return updated.status();
    if (!*updated) return Status::PreconditionFailed("ticket was changed by someone else; retry");
    OPSDESK_RETURN_IF_ERROR(store::AppendEvent(
        tx, Event(source_id, actor, now, "field_changed", "status", StatusName(source->status), "closed")));
    for (auto* outbox : outboxes_) OPSDESK_RETURN_IF_ERROR(outbox->OnTicketUpdated(tx, *source, closed));
    OPSDESK_RETURN_IF_ERROR(LinkBothWays(tx, actor, source_id, "duplicate_of", target_id, now));
    OPSDESK_RETURN_IF_ERROR(store::TouchTicket(tx, target_id, now));
    auto reloaded = store::LoadTicket(tx, target_id, true);
    if (!reloaded.ok()) return reloaded.status();
    result = **reloaded;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  Announce({source_id, source_requester_id, ActorId(actor), "merged", false});
  Announce({target_id, result.requester.id, ActorId(actor), "merged", false});
  return result;
}

Result<std::vector<BulkItemResult>> TicketService::BulkUpdate(const Actor& actor, const std::vector<int64_t>& ids,
                                                              const BulkChange& change) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only agents can change tickets in bulk");
  FieldErrors errors;
  if (ids.empty() || ids.size() > kMaxBulkTickets) {
    errors["ids"] = "must list 1 to 200 ticket ids";
  } else {
    std::set<int64_t> seen;
    for (int64_t id : ids) {
      if (id <= 0) {
        errors["ids"] = "must be positive ticket ids";
        break;
      }
      if (!seen.insert(id).second) {
        errors["ids"] = "lists ticket " + std::to_string(id) + " more than once";
        break;
      }
    }
  }
  if (change.IsEmpty()) {
    errors["changes"] = "must change at least one of status, priority, assignee_id, queue, add_tags, remove_tags";
  }
  if (change.status && !ParseStatus(*change.status)) {
    errors["changes.status"] = "must be one of new, open, pending, on_hold, solved, closed";
  }
  if (change.priority && !ParsePriority(*change.priority)) {
    errors["changes.priority"] = "must be one of low, normal, high, urgent";
  }
  std::vector<std::string> added = NormalizeTagEdit(change.add_tags, "changes.add_tags", errors);
  std::vector<std::string> removed = NormalizeTagEdit(change.remove_tags, "changes.remove_tags", errors);
  for (const auto& tag : removed) {
    if (std::binary_search(added.begin(), added.end(), tag)) {
      errors["changes.remove_tags"] = "must not repeat a tag of add_tags ('" + tag + "')";
    }
  }
  if (!errors.empty()) return Status::InvalidArgument("bulk change is not valid", errors);

  TicketPatch patch;
  patch.status = change.status;
  patch.priority = change.priority;
  patch.add_tags = added;
  patch.remove_tags = removed;
  // The queue and the assignee are the same for every ticket: check them once,
  // before anything is written.
  Status checked = db_.Read([&](storage::Transaction& tx) -> Status {
    if (change.queue && *change.queue) {
      auto queue = ResolveQueue(tx, **change.queue);
      if (queue.ok()) {
        patch.queue.emplace(QueueRef{(*queue)->id, std::nullopt});
      } else if (queue.status().code() == StatusCode::kInvalidArgument) {
        errors["changes.queue"] = "no such queue";
      } else {
        return queue.status();
      }
    } else if (change.queue) {
      patch.queue.emplace(std::nullopt);
    }
    if (change.assignee_id && *change.assignee_id) {
      auto user = auth::UserService::FindById(tx, **change.assignee_id);
      if (!user.ok()) return user.status();
      if (!*user || !(*user)->is_active || (*user)->role == auth::Role::kRequester) {
        errors["changes.assignee_id"] = "must be an active agent, lead or admin";
      }
    }
    patch.assignee_id = change.assignee_id;
    return Status::Ok();
  });
  if (!checked.ok()) return checked;
  if (!errors.empty()) return Status::InvalidArgument("bulk change is not valid", errors);

  // One transaction per ticket, so one ticket's failure (closed, a transition
  // its status does not allow, too many tags) leaves the others changed.
  std::vector<BulkItemResult> results;
  results.reserve(ids.size());
  for (int64_t id : ids) {
    BulkItemResult item;
    item.id = id;
    auto updated = Update(actor, id, patch);
    if (updated.ok()) {
      item.ticket = std::move(*updated);
    } else {
      item.status = updated.status();
    }
    results.push_back(std::move(item));
  }
  return results;
}

Result<std::vector<TicketView>> TicketService::Views(const Actor& actor) {
  if (!actor.IsStaff()) return Status::PermissionDenied("only agents have workspace views");
  const std::vector<TicketStatus> open = {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending,
                                          TicketStatus::kOnHold};
  storage::Params open_params;
  for (TicketStatus s : open) open_params.emplace_back(StatusName(s));
  const std::string open_in = "status IN (?, ?, ?, ?)";

  int64_t mine = 0, unassigned = 0, all_open = 0, pending = 0, at_risk = 0;
  std::map<int64_t, int64_t> by_queue;
  std::vector<std::pair<std::string, int64_t>> queues;  // name, id
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    // One pass over the open tickets in tickets_status_queue counts all_open,
    // pending and every queue; the assignee counts use tickets_assignee_status.
    auto grouped = tx.Query("SELECT status, queue_id, COUNT(*) FROM tickets WHERE " + open_in +
                                " GROUP BY status, queue_id",
                            open_params);
    if (!grouped.ok()) return grouped.status();
    for (const auto& row : *grouped) {
      int64_t n = row.Int(2);
      all_open += n;
      if (row.Text(0) == StatusName(TicketStatus::kPending)) pending += n;
      if (!row.IsNull(1)) by_queue[row.Int(1)] += n;
    }
    storage::Params mine_params = {actor.user_id};
    mine_params.insert(mine_params.end(), open_params.begin(), open_params.end());
    auto mine_row = tx.QueryOne("SELECT COUNT(*) FROM tickets WHERE assignee_id = ? AND " + open_in, mine_params);
    if (!mine_row.ok()) return mine_row.status();
    mine = *mine_row ? (*mine_row)->Int(0) : 0;
    auto unassigned_row = tx.QueryOne("SELECT COUNT(*) FROM tickets WHERE assignee_id IS NULL AND " + open_in,
                                      open_params);
    if (!unassigned_row.ok()) return unassigned_row.status();
    unassigned = *unassigned_row ? (*unassigned_row)->Int(0) : 0;
    storage::Params risk_params = {clock_.NowMs()};
    risk_params.insert(risk_params.end(), open_params.begin(), open_params.end());
    auto risk_row = tx.QueryOne(
        "SELECT COUNT(*) FROM ticket_sla_due d JOIN tickets t ON t.id = d.ticket_id WHERE d.warn_at <= ? AND t." +
            open_in,
        risk_params);
    if (!risk_row.ok()) return risk_row.status();
    at_risk = *risk_row ? (*risk_row)->Int(0) : 0;
    auto queue_rows = tx.Query("SELECT id, name FROM queues");
    if (!queue_rows.ok()) return queue_rows.status();
    for (const auto& row : *queue_rows) queues.emplace_back(row.Text(1), row.Int(0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  // Sorted here, by bytes: PostgreSQL's ORDER BY follows the database collation.
  std::sort(queues.begin(), queues.end());

  std::vector<TicketView> views;
  auto add = [&](std::string id, std::string name, TicketFilter filter, int64_t count) {
    views.push_back(TicketView{std::move(id), std::move(name), std::move(filter), count});
  };
  TicketFilter filter;
  filter.statuses = open;
  filter.assignee_id = actor.user_id;
  add("mine", "My open tickets", filter, mine);
  filter.assignee_id.reset();
  filter.unassigned = true;
  add("unassigned", "Unassigned", filter, unassigned);
  filter.unassigned = false;
  add("all_open", "All open", filter, all_open);
  TicketFilter pending_filter;
  pending_filter.statuses = {TicketStatus::kPending};
  add("pending", "Pending", pending_filter, pending);
  TicketFilter risk_filter;
  risk_filter.statuses = open;
  risk_filter.sla = SlaFilter::kAtRisk;
  risk_filter.sort = TicketSort::kSlaDueAsc;
  add("breaching_soon", "Breaching soon", risk_filter, at_risk);
  for (const auto& [name, id] : queues) {
    TicketFilter queue_filter;
    queue_filter.statuses = open;
    queue_filter.queue = QueueRef{id, name};
    auto it = by_queue.find(id);
    add("queue:" + name, name, queue_filter, it == by_queue.end() ? 0 : it->second);
  }
  return views;
}

Result<std::vector<std::pair<std::string, int64_t>>> TicketService::CountByStatus() {
  std::vector<std::pair<std::string, int64_t>> counts;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query("SELECT status, COUNT(*) FROM tickets GROUP BY status ORDER BY status");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) counts.emplace_back(r.Text(0), r.Int(1));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return counts;
}

}  // namespace opsdesk::tickets
