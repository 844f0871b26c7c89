// Secrets and identifiers from libsodium's CSPRNG.
#pragma once

#include <string>
#include <string_view>

namespace opsdesk {

// Must run once before any other call here (sodium_init); safe to call repeatedly.
void InitCrypto();

// `bytes` random bytes, hex-encoded.
std::string RandomHex(size_t bytes);
// SHA-256 of `data`, hex-encoded.
std::string Sha256Hex(std::string_view data);
// Constant-time comparison for secrets.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace opsdesk
