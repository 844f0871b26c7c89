#include "auth/auth_service.h"

#include "auth/password.h"
#include "auth/user_service.h"
#include "common/random.h"
#include "common/text.h"

namespace opsdesk::auth {
namespace {

constexpr std::string_view kTokenPrefix = "odt_";

bool LooksLikeToken(const std::string& secret) {
  return secret.size() == kTokenPrefix.size() + 64 && secret.rfind(kTokenPrefix, 0) == 0;
}

// Verifying against this when the account does not exist keeps a failed login's
// duration the same either way.
const std::string& DummyHash() {
  static const std::string hash = HashPassword("not a real password").value();
  return hash;
}

}  // namespace

Result<IssuedToken> AuthService::Issue(storage::Transaction& tx, int64_t user_id, const std::string& kind,
                                       const std::string& name, std::optional<TimestampMs> expires_at) {
  IssuedToken token;
  token.secret = std::string(kTokenPrefix) + RandomHex(32);
  token.kind = kind;
  token.name = name;
  token.created_at = clock_.NowMs();
  token.expires_at = expires_at;
  auto row = tx.QueryOne(
      "INSERT INTO api_tokens (user_id, token_hash, kind, name, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {user_id, Sha256Hex(token.secret), kind, name, token.created_at, expires_at});
  if (!row.ok()) return row.status();
  token.id = (*row)->Int(0);
  return token;
}

Result<LoginResult> AuthService::Login(const std::string& email, const std::string& password,
                                       const std::string& address) {
  std::string account = ToLowerAscii(Trim(email));
  if (int wait = limiter_.RetryAfterSeconds(account, address); wait > 0) {
    return Status::LimitExceeded("too many failed sign-in attempts; try again later", wait);
  }
  std::optional<User> user;
  std::optional<std::string> hash;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    // No stored address is invalid UTF-8 (UserService validates it), and
    // PostgreSQL rejects such a parameter as an error: treat it as unknown, so the
    // answer stays the same uniform kUnauthenticated.
    if (!IsValidUtf8(account)) return Status::Ok();
    auto row = tx.QueryOne("SELECT id, password_hash FROM users WHERE email_norm = ? AND is_active = 1", {account});
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    hash = (*row)->OptText(1);
    auto found = UserService::FindById(tx, (*row)->Int(0));
    if (!found.ok()) return found.status();
    user = *found;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  bool verified = VerifyPassword(hash ? *hash : DummyHash(), password) && user && hash;
  if (!verified) {
    limiter_.RecordFailure(account, address);
    return Status::Unauthenticated("e-mail or password is wrong");
  }
  limiter_.RecordSuccess(account);
  LoginResult result;
  result.user = *user;
  status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto token = Issue(tx, user->id, "session", "web session", clock_.NowMs() + kSessionLifetimeMs);
    if (!token.ok()) return token.status();
    result.token = *token;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return result;
}

Status AuthService::Logout(const std::string& secret) {
  if (!LooksLikeToken(secret)) return Status::Unauthenticated("invalid token");
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto changed = tx.Exec("UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                           {clock_.NowMs(), Sha256Hex(secret)});
    if (!changed.ok()) return changed.status();
    if (*changed == 0) return Status::Unauthenticated("token is not active");
    return Status::Ok();
  });
  // After the commit, so no concurrent request can re-cache the token.
  if (token_cache_) token_cache_->ForgetToken(secret);
  return status;
}

Result<User> AuthService::Authenticate(const std::string& secret) {
  if (!LooksLikeToken(secret)) return Status::Unauthenticated("invalid or expired token");
  if (token_cache_) {
    if (auto cached = token_cache_->Find(secret)) return *cached;
  }
  std::string hash = Sha256Hex(secret);
  std::optional<User> user;
  std::optional<TimestampMs> expires_at;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto found = UserService::FindByTokenHash(tx, hash, clock_.NowMs(), &expires_at);
    if (!found.ok()) return found.status();
    user = *found;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!user) return Status::Unauthenticated("invalid or expired token");
  if (token_cache_) token_cache_->Remember(secret, *user, expires_at);
  return *user;
}

Result<IssuedToken> AuthService::CreateToken(const Actor& actor, int64_t user_id, const std::string& name,
                                             int expires_in_days) {
  if (!actor.is_system && actor.user_id != user_id) {
    return Status::PermissionDenied("tokens can only be created for yourself");
  }
  std::map<std::string, std::string> errors;
  std::string problem = TextFieldProblem(name, 1, 100, false);
  if (!problem.empty()) errors["name"] = problem;
  if (expires_in_days < 0 || expires_in_days > 3650) errors["expires_in_days"] = "must be between 0 and 3650";
  if (!errors.empty()) return Status::InvalidArgument("token is not valid", errors);
  std::optional<TimestampMs> expires_at;
  if (expires_in_days > 0) expires_at = clock_.NowMs() + expires_in_days * 24LL * 3600 * 1000;
  IssuedToken issued;
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto user = UserService::FindById(tx, user_id);
    if (!user.ok()) return user.status();
    if (!*user) return Status::NotFound("user not found");
    auto token = Issue(tx, user_id, "personal", name, expires_at);
    if (!token.ok()) return token.status();
    issued = *token;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return issued;
}

Result<std::vector<TokenInfo>> AuthService::ListTokens(const Actor& actor) {
  std::vector<TokenInfo> tokens;
  Status status = db_.Read([&](storage::Transaction& tx) -> Status {
    auto rows = tx.Query(
        "SELECT id, name, kind, created_at, expires_at, revoked_at FROM api_tokens "
        "WHERE user_id = ? AND kind = 'personal' ORDER BY id",
        {actor.user_id});
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) {
      tokens.push_back(TokenInfo{row.Int(0), row.Text(1), row.Text(2), row.Int(3), row.OptInt(4), row.OptInt(5)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return tokens;
}

Status AuthService::RevokeToken(const Actor& actor, int64_t token_id) {
  Status status = db_.Write([&](storage::Transaction& tx) -> Status {
    auto changed = tx.Exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                           {clock_.NowMs(), token_id, actor.user_id});
    if (!changed.ok()) return changed.status();
    if (*changed == 0) return Status::NotFound("token not found");
    return Status::Ok();
  });
  // The cache is keyed by the secret, which this call does not have: forget
  // all of the user's cached tokens (they are re-read on next use).
  if (status.ok() && token_cache_) token_cache_->ForgetUser(actor.user_id);
  return status;
}

}  // namespace opsdesk::auth
