// The live-update bus between opsdesk nodes sharing one PostgreSQL database:
// NOTIFY on one connection, LISTEN on another, on channel `opsdesk_live`.
//
// PostgreSQL delivers a notification to every listening session, the sender's
// included, so this node's own messages also arrive through LISTEN and every
// node sees the same stream in the same order. Payloads stay far below the
// 8000-byte NOTIFY limit (ids, kinds and a display name).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "live/live_hub.h"

namespace opsdesk::live {

class PostgresBus : public Bus {
 public:
  // `url` is the same postgresql:// URL the database uses. Connects lazily and
  // reconnects after failures (logged; messages published meanwhile are lost).
  explicit PostgresBus(std::string url);
  ~PostgresBus() override;

  void SetReceiver(Receiver receiver) override;
  void Publish(const std::string& payload) override;
  void Stop() override;

  static constexpr const char* kChannel = "opsdesk_live";

 private:
  class Connection;
  void ListenLoop();

  const std::string url_;
  Receiver receiver_;
  std::mutex publish_mu_;  // guards publisher_
  std::unique_ptr<Connection> publisher_;
  std::atomic<bool> stopping_{false};
  std::thread listener_;
};

}  // namespace opsdesk::live
