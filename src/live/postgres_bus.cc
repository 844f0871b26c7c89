#include "live/postgres_bus.h"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace opsdesk::live {

class PostgresBus::Connection {
 public:
  explicit Connection(const std::string& url) {
    const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"10", "opsdesk-live", url.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  }
  ~Connection() {
    if (conn_) PQfinish(conn_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
  std::string error() const { return conn_ ? PQerrorMessage(conn_) : "out of memory"; }
  PGconn* get() const { return conn_; }

  // Runs a statement with text parameters; true when it succeeded.
  bool Run(const char* sql, int n_params, const char* const* params) {
    PGresult* result = PQexecParams(conn_, sql, n_params, nullptr, params, nullptr, nullptr, 0);
    ExecStatusType status = PQresultStatus(result);
    PQclear(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }

 private:
  PGconn* conn_ = nullptr;
};

PostgresBus::PostgresBus(std::string url) : url_(std::move(url)) {}

PostgresBus::~PostgresBus() { Stop(); }

void PostgresBus::Stop() {
  stopping_.store(true);
  if (listener_.joinable()) listener_.join();
}

void PostgresBus::SetReceiver(Receiver receiver) {
  receiver_ = std::move(receiver);
  listener_ = std::thread([this] { ListenLoop(); });
}

void PostgresBus::Publish(const std::string& payload) {
  std::lock_guard lock(publish_mu_);
  // One retry on a fresh connection covers a server restart since the last use.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!publisher_ || !publisher_->healthy()) publisher_ = std::make_unique<Connection>(url_);
    if (!publisher_->healthy()) break;
    const char* params[] = {kChannel, payload.c_str()};
    if (publisher_->Run("SELECT pg_notify($1, $2)", 2, params)) return;
    publisher_.reset();
  }
  spdlog::warn("live: could not publish to PostgreSQL; a live update was lost");
}

void PostgresBus::ListenLoop() {
  using namespace std::chrono_literals;
  bool warned = false;
  while (!stopping_.load()) {
    Connection conn(url_);
    std::string listen = std::string("LISTEN ") + kChannel;
    if (!conn.healthy() || !conn.Run(listen.c_str(), 0, nullptr)) {
      if (!warned) spdlog::warn("live: cannot LISTEN on PostgreSQL ({}); retrying", conn.error());
      warned = true;
      for (int i = 0; i < 10 && !stopping_.load(); ++i) std::this_thread::sleep_for(100ms);
      continue;
    }
    if (warned) spdlog::info("live: listening on PostgreSQL again");
    warned = false;
    // Wake at least every 200 ms to notice a stop. Notifications can also sit
    // in libpq's buffer without new bytes on the socket (read along with the
    // LISTEN's own answer, say), so the buffer is drained on every wake-up.
    while (!stopping_.load()) {
      pollfd fd{PQsocket(conn.get()), POLLIN, 0};
      int ready = poll(&fd, 1, 200);
      if (ready < 0) break;
      if (ready > 0 && !PQconsumeInput(conn.get())) break;  // connection lost: reconnect
      while (PGnotify* note = PQnotifies(conn.get())) {
        std::string payload = note->extra;
        PQfreemem(note);
        if (receiver_) receiver_(payload);
      }
    }
  }
}

}  // namespace opsdesk::live
