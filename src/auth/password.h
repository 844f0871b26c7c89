// Password hashing with argon2id (libsodium crypto_pwhash_str).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace opsdesk::auth {

// Parameters follow OWASP's argon2id recommendation (19 MiB, 2 passes): strong
// against offline guessing while a login stays around tens of milliseconds.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

// Field-level check of a new password; empty when acceptable.
std::string PasswordProblem(std::string_view password);

}  // namespace opsdesk::auth
