// Signed links: a token naming (purpose, id, expiry) with an HMAC-SHA256 under a
// server key, so a link in an e-mail (acknowledge an alert, view a ticket) can be
// checked without storing anything per link.
//
// Token: "<id>.<expires_at_ms>.<hex HMAC-SHA256(key, purpose '\n' id '\n' expires)>".
// The purpose is inside the MAC, so a token made for one purpose never verifies
// for another.
#pragma once

#include <cstdint>
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
  // The id the token names. kUnauthenticated when the token is malformed, was
  // signed for another purpose or with another key, or has expired at `now`.
  Result<int64_t> VerifyLink(std::string_view purpose, std::string_view token, TimestampMs now) const;

 private:
  std::string key_;
};

// The link key every node shares: `configured` when not empty, else the one in
// the server_secrets table, made (random, 32 bytes) on first use.
Result<std::string> LoadOrCreateLinkKey(storage::Database& db, const Clock& clock,
                                        const std::string& configured = "");

}  // namespace opsdesk::notify
