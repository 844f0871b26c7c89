#include "notify/signed_link.h"

#include <sodium.h>

#include <charconv>

#include "common/random.h"

namespace opsdesk::notify {
namespace {

std::string Mac(const std::string& key, std::string_view purpose, int64_t id, TimestampMs expires_at) {
  std::string message = std::string(purpose) + "\n" + std::to_string(id) + "\n" + std::to_string(expires_at);
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
  return std::to_string(id) + "." + std::to_string(expires_at) + "." + Mac(key_, purpose, id, expires_at);
}

Result<int64_t> LinkSigner::VerifyLink(std::string_view purpose, std::string_view token, TimestampMs now) const {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  int64_t id = 0;
  int64_t expires_at = 0;
  if (second == std::string_view::npos || !ParseInt(token.substr(0, first), &id) ||
      !ParseInt(token.substr(first + 1, second - first - 1), &expires_at)) {
    return Status::Unauthenticated("link is not valid");
  }
  std::string expected = Mac(key_, purpose, id, expires_at);
  if (!SecretsEqual(expected, token.substr(second + 1))) return Status::Unauthenticated("link is not valid");
  if (now >= expires_at) return Status::Unauthenticated("link has expired");
  return id;
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
