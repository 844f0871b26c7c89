// Signed links: a token naming (purpose, id, expiry) with an HMAC-SHA256 under a
// server key, so a link in an e-mail (acknowledge an alert, view a ticket) can be
// checked without storing anything per link.
//
// Token: "<id>.<expires_at_ms>.<hex HMAC-SHA256(key, purpose '\n' id '\n' expires)>".
// The purpose is inside the MAC, so a token made for one purpose never verifies
// for another. A personal link also names the user it was sent to:
// "<id>.<expires_at_ms>.<user_id>.<hex HMAC-SHA256(key, purpose '\n' id '\n'
// expires '\n' user_id)>", so following it can be recorded as that user's act.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "storage/database.h"

namespace opsdesk::notify {

class LinkSigner {
 public:
  // REQUIRES: key is at least 16 bytes (LoadOrCreateLinkKey makes 32).
  explicit LinkSigner(std::string key) : key_(std::move(key)) {}

  std::string SignLink(std::string_view purpose, int64_t id, TimestampMs expires_at) const;
  std::string SignPersonalLink(std::string_view purpose, int64_t id, int64_t user_id, TimestampMs expires_at) const;

  struct Claims {
    int64_t id = 0;
    std::optional<int64_t> user_id;  // set for a personal link
  };
  // What the token names, personal or not. kUnauthenticated when the token is
  // malformed, was signed for another purpose or with another key, or has
  // expired at `now`.
  Result<Claims> Verify(std::string_view purpose, std::string_view token, TimestampMs now) const;
  // The id a link that names nobody carries (a personal link is refused).
  Result<int64_t> VerifyLink(std::string_view purpose, std::string_view token, TimestampMs now) const;

 private:
  std::string key_;
};

// The link key every node shares: `configured` when not empty, else the one in
// the server_secrets table, made (random, 32 bytes) on first use.
Result<std::string> LoadOrCreateLinkKey(storage::Database& db, const Clock& clock,
                                        const std::string& configured = "");

}  // namespace opsdesk::notify
