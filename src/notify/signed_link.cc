#include "notify/signed_link.h"

#include <sodium.h>

#include <charconv>
#include <vector>

#include "common/random.h"

namespace opsdesk::notify {
namespace {

std::string Mac(const std::string& key, std::string_view purpose, int64_t id, TimestampMs expires_at,
                std::optional<int64_t> user_id) {
  std::string message = std::string(purpose) + "\n" + std::to_string(id) + "\n" + std::to_string(expires_at);
  if (user_id) message += "\n" + std::to_string(*user_id);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, sizeof mac * 2);
}

bool ParseInt(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string LinkSigner::SignLink(std::string_view purpose, int64_t id, TimestampMs expires_at) const {
  return std::to_string(id) + "." + std::to_string(expires_at) + "." + Mac(key_, purpose, id, expires_at, std::nullopt);
}

std::string LinkSigner::SignPersonalLink(std::string_view purpose, int64_t id, int64_t user_id,
                                         TimestampMs expires_at) const {
  return std::to_string(id) + "." + std::to_string(expires_at) + "." + std::to_string(user_id) + "." +
         Mac(key_, purpose, id, expires_at, user_id);
}

Result<LinkSigner::Claims> LinkSigner::Verify(std::string_view purpose, std::string_view token,
                                              TimestampMs now) const {
  // Three parts (id, expiry, MAC) or four (id, expiry, user, MAC).
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos || parts.size() > 4) break;
    start = dot + 1;
  }
  Claims claims;
  int64_t expires_at = 0;
  int64_t user_id = 0;
  if ((parts.size() != 3 && parts.size() != 4) || !ParseInt(parts[0], &claims.id) ||
      !ParseInt(parts[1], &expires_at) || (parts.size() == 4 && !ParseInt(parts[2], &user_id))) {
    return Status::Unauthenticated("link is not valid");
  }
  if (parts.size() == 4) claims.user_id = user_id;
  std::string expected = Mac(key_, purpose, claims.id, expires_at, claims.user_id);
  if (!SecretsEqual(expected, parts.back())) return Status::Unauthenticated("link is not valid");
  if (now >= expires_at) return Status::Unauthenticated("link has expired");
  return claims;
}

Result<int64_t> LinkSigner::VerifyLink(std::string_view purpose, std::string_view token, TimestampMs now) const {
  auto claims = Verify(purpose, token, now);
  if (!claims.ok()) return claims.status();
  if (claims->user_id) return Status::Unauthenticated("link is not valid");
  return claims->id;
}

Result<std::string> LoadOrCreateLinkKey(storage::Database& db, const Clock& clock, const std::string& configured) {
  if (!configured.empty()) return configured;
  std::string key;
  Status status = db.Write([&](storage::Transaction& tx) -> Status {
    // Two nodes starting together: the second insert does nothing, both read
    // the winner's key.
    OPSDESK_RETURN_IF_ERROR(tx.Exec("INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) "
                                    "ON CONFLICT (name) DO NOTHING",
                                    {"link_signing_key", RandomHex(32), clock.NowMs()})
                                .status());
    auto row = tx.QueryOne("SELECT value FROM server_secrets WHERE name = ?", {"link_signing_key"});
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal("link signing key missing");
    key = (*row)->Text(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return key;
}

}  // namespace opsdesk::notify
