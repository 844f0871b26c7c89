#include "live/live_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

namespace opsdesk::live {

namespace {

constexpr std::chrono::milliseconds kTick{1000};

const char* StateName(PresenceState state) {
  switch (state) {
    case PresenceState::kViewing:
      return "viewing";
    case PresenceState::kTyping:
      return "typing";
    case PresenceState::kLeft:
      return "left";
  }
  return "left";
}

int64_t IntOr(const boost::json::object& o, const char* key, int64_t fallback) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : fallback;
}

std::string StringOr(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

LiveHub::LiveHub(Bus& bus, const Clock& clock) : bus_(bus), clock_(clock) {
  bus_.SetReceiver([this](const std::string& payload) { Receive(payload); });
  timer_ = std::thread([this] { TimerLoop(); });
}

LiveHub::~LiveHub() {
  bus_.Stop();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  timer_.join();
}

void LiveHub::Subscribe(const auth::User& user, EventSink sink) {
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->user_id = user.id;
  subscriber->is_staff = user.role != auth::Role::kRequester;
  subscriber->sink = std::move(sink);
  // The first event tells the client the stream is up (and, after a
  // reconnect, that it may have missed changes and should refetch).
  boost::json::object hello{{"user_id", user.id}};
  if (!subscriber->sink("hello", boost::json::serialize(hello))) return;
  std::lock_guard lock(mu_);
  subscribers_.push_back(std::move(subscriber));
}

size_t LiveHub::subscriber_count() {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

void LiveHub::OnTicketChange(const tickets::TicketChange& change) {
  boost::json::object message{{"t", "ticket"},
                              {"ticket_id", change.ticket_id},
                              {"requester_id", change.requester_id},
                              {"kind", change.kind},
                              {"internal", change.is_internal}};
  if (change.actor_id) message["actor_id"] = *change.actor_id;
  else message["actor_id"] = nullptr;
  bus_.Publish(boost::json::serialize(message));
}

Status LiveHub::SetPresence(const auth::User& user, int64_t ticket_id, PresenceState state) {
  if (user.role == auth::Role::kRequester) return Status::PermissionDenied("presence is for agents");
  boost::json::object message{{"t", "presence"},
                              {"ticket_id", ticket_id},
                              {"user_id", user.id},
                              {"name", user.display_name},
                              {"state", StateName(state)}};
  std::string payload = boost::json::serialize(message);
  // Applied here at once, so the caller's answer already counts them; the
  // copy that comes back through the bus changes nothing and is not re-announced.
  Receive(payload);
  bus_.Publish(payload);
  return Status::Ok();
}

std::vector<Viewer> LiveHub::Viewers(int64_t ticket_id) {
  std::vector<Viewer> viewers;
  TimestampMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  auto it = presence_.find(ticket_id);
  if (it == presence_.end()) return viewers;
  for (const auto& [user_id, p] : it->second) {
    if (p.viewing_until <= now) continue;
    viewers.push_back(Viewer{user_id, p.display_name, p.typing_until > now ? "typing" : "viewing"});
  }
  return viewers;
}

std::string LiveHub::PresenceJsonLocked(int64_t ticket_id, TimestampMs now) {
  boost::json::array viewers;
  auto it = presence_.find(ticket_id);
  if (it != presence_.end()) {
    for (const auto& [user_id, p] : it->second) {
      if (p.viewing_until <= now) continue;
      viewers.push_back(boost::json::object{{"user_id", user_id},
                                            {"display_name", p.display_name},
                                            {"state", p.typing_until > now ? "typing" : "viewing"}});
    }
  }
  return boost::json::serialize(boost::json::object{{"ticket_id", ticket_id}, {"viewers", std::move(viewers)}});
}

void LiveHub::Receive(const std::string& payload) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(payload, ec);
  if (ec || !parsed.is_object()) {
    spdlog::warn("live: ignoring malformed bus message");
    return;
  }
  const auto& message = parsed.as_object();
  std::string type = StringOr(message, "t");
  int64_t ticket_id = IntOr(message, "ticket_id", 0);
  if (ticket_id <= 0) return;

  if (type == "ticket") {
    int64_t requester_id = IntOr(message, "requester_id", 0);
    const auto* internal = message.if_contains("internal");
    bool is_internal = internal && internal->is_bool() && internal->as_bool();
    boost::json::object data{{"ticket_id", ticket_id}, {"kind", StringOr(message, "kind")}};
    if (const auto* actor = message.if_contains("actor_id")) data["actor_id"] = *actor;
    Broadcast(
        [&](const Subscriber& s) { return s.is_staff || (s.user_id == requester_id && !is_internal); }, "ticket",
        boost::json::serialize(data));
    return;
  }
  if (type != "presence") return;

  int64_t user_id = IntOr(message, "user_id", 0);
  std::string state = StringOr(message, "state");
  std::string data;
  {
    std::lock_guard lock(mu_);
    TimestampMs now = clock_.NowMs();
    if (state == "left") {
      auto it = presence_.find(ticket_id);
      if (it != presence_.end()) {
        it->second.erase(user_id);
        if (it->second.empty()) presence_.erase(it);
      }
    } else {
      Presence& p = presence_[ticket_id][user_id];
      p.display_name = StringOr(message, "name");
      p.viewing_until = now + kViewingTtlMs;
      p.typing_until = state == "typing" ? now + kTypingTtlMs : 0;
    }
    data = PresenceJsonLocked(ticket_id, now);
    if (announced_[ticket_id] == data) return;
    announced_[ticket_id] = data;
    if (presence_.find(ticket_id) == presence_.end()) announced_.erase(ticket_id);
  }
  Broadcast([](const Subscriber& s) { return s.is_staff; }, "presence", data);
}

void LiveHub::Broadcast(const std::function<bool(const Subscriber&)>& wants, const std::string& event,
                        const std::string& data) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& s : subscribers_) {
      if (wants(*s)) targets.push_back(s);
    }
  }
  std::vector<Subscriber*> gone;
  for (const auto& s : targets) {
    if (!s->sink(event, data)) gone.push_back(s.get());
  }
  if (gone.empty()) return;
  std::lock_guard lock(mu_);
  std::erase_if(subscribers_, [&](const std::shared_ptr<Subscriber>& s) {
    return std::find(gone.begin(), gone.end(), s.get()) != gone.end();
  });
}

void LiveHub::ExpirePresence() {
  std::vector<std::string> changed;
  {
    std::lock_guard lock(mu_);
    TimestampMs now = clock_.NowMs();
    for (auto it = presence_.begin(); it != presence_.end();) {
      int64_t ticket_id = it->first;
      std::erase_if(it->second, [&](const auto& entry) { return entry.second.viewing_until <= now; });
      std::string data = PresenceJsonLocked(ticket_id, now);
      if (announced_[ticket_id] != data) changed.push_back(data);
      if (it->second.empty()) {
        announced_.erase(ticket_id);
        it = presence_.erase(it);
      } else {
        announced_[ticket_id] = data;
        ++it;
      }
    }
  }
  for (const auto& data : changed) {
    Broadcast([](const Subscriber& s) { return s.is_staff; }, "presence", data);
  }
}

void LiveHub::TimerLoop() {
  auto next_ping = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPingIntervalMs);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, kTick);
    if (stopping_) break;
    lock.unlock();
    ExpirePresence();
    // Pings keep proxies from closing quiet streams and find clients that left.
    if (std::chrono::steady_clock::now() >= next_ping) {
      next_ping = std::chrono::steady_clock::now() + std::chrono::milliseconds(kPingIntervalMs);
      Broadcast([](const Subscriber&) { return true; }, "ping", "{}");
    }
    lock.lock();
  }
}

}  // namespace opsdesk::live
