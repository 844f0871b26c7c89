// Live updates and presence: who hears about which ticket change, and who is
// viewing or typing on a ticket (collision detection in the agent workspace).
//
// Every node runs one hub. Changes and presence go out through a Bus to every
// node, this one included (on PostgreSQL, NOTIFY/LISTEN, so agents connected
// to different nodes see each other); each hub then hands them to its own
// subscribers, filtered by what the subscriber may see:
//   - staff hear of every ticket change and all presence;
//   - a requester hears only of changes to their own tickets, never of an
//     internal note, and never of presence.
// Messages carry ids and kinds, never ticket content: clients refetch through
// the permission-checked API.
//
// Presence is soft state with a time to live, refreshed by the client's
// heartbeat: "viewing" lasts kViewingTtlMs, "typing" kTypingTtlMs (then the
// viewer shows as viewing again until that expires too).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/user.h"
#include "common/clock.h"
#include "common/result.h"
#include "tickets/ticket.h"

namespace opsdesk::live {

// Carries opaque messages to every node's hub, including the sender's.
class Bus {
 public:
  using Receiver = std::function<void(const std::string& payload)>;
  virtual ~Bus() = default;
  // REQUIRES: called once, before the first Publish.
  virtual void SetReceiver(Receiver receiver) = 0;
  // Best effort: a message may be lost if the bus is down (clients refetch
  // everything when their stream reconnects, so a lost message costs freshness,
  // not correctness).
  virtual void Publish(const std::string& payload) = 0;
  // Stops delivering to the receiver; returns once no delivery is running.
  virtual void Stop() {}
};

// A single-node bus: Publish delivers straight to the receiver.
class LocalBus : public Bus {
 public:
  void SetReceiver(Receiver receiver) override { receiver_ = std::move(receiver); }
  void Publish(const std::string& payload) override {
    if (receiver_) receiver_(payload);
  }

 private:
  Receiver receiver_;
};

struct Viewer {
  int64_t user_id = 0;
  std::string display_name;
  std::string state;  // viewing | typing
};

enum class PresenceState { kViewing, kTyping, kLeft };

// Receives one event for a subscriber: `event` is "ticket", "presence" or
// "ping"; `data` is JSON. Returns false when the subscriber is gone, which
// unsubscribes it. Called from bus and timer threads; must not block.
using EventSink = std::function<bool(const std::string& event, const std::string& data)>;

class LiveHub {
 public:
  static constexpr int64_t kViewingTtlMs = 30'000;
  static constexpr int64_t kTypingTtlMs = 8'000;
  static constexpr int64_t kPingIntervalMs = 15'000;

  // `bus` and `clock` outlive the hub. Starts a timer thread for presence
  // expiry and keep-alive pings; the destructor stops it.
  LiveHub(Bus& bus, const Clock& clock);
  ~LiveHub();
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // Adds a subscriber for `user`; it receives events until `sink` returns false.
  void Subscribe(const auth::User& user, EventSink sink);

  // The tickets service's change listener.
  void OnTicketChange(const tickets::TicketChange& change);

  // Records that `user` views, types on, or left ticket `ticket_id` and tells
  // every node. Presence is for staff: requesters get kPermissionDenied. The
  // caller has checked that the ticket exists.
  Status SetPresence(const auth::User& user, int64_t ticket_id, PresenceState state);

  // The people on `ticket_id` now, by name.
  std::vector<Viewer> Viewers(int64_t ticket_id);

  size_t subscriber_count();

  // Handles one message from the bus (public for tests of the wire format).
  void Receive(const std::string& payload);

  // Drops presence past its time to live and tells staff what changed. The
  // timer thread calls it every second; public so tests can drive it.
  void ExpirePresence();

 private:
  struct Subscriber {
    int64_t user_id = 0;
    bool is_staff = false;
    EventSink sink;
  };
  struct Presence {
    std::string display_name;
    TimestampMs viewing_until = 0;
    TimestampMs typing_until = 0;
  };

  // Sends to every subscriber `wants` accepts; drops those whose sink fails.
  void Broadcast(const std::function<bool(const Subscriber&)>& wants, const std::string& event,
                 const std::string& data);
  std::string PresenceJsonLocked(int64_t ticket_id, TimestampMs now);
  void TimerLoop();

  Bus& bus_;
  const Clock& clock_;

  std::mutex mu_;  // guards everything below
  std::vector<std::shared_ptr<Subscriber>> subscribers_;
  std::map<int64_t, std::map<int64_t, Presence>> presence_;  // ticket -> user -> presence
  // What each ticket's viewers looked like when last announced, to announce
  // expiries only when they change what people see.
  std::map<int64_t, std::string> announced_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread timer_;
};

}  // namespace opsdesk::live
