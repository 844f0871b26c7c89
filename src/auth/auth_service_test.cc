// UserService and AuthService against both real engines: user validation and
// the admin-only rules, sign-in, bearer tokens (stored hashed, revocable,
// expiring), personal API tokens and the failed-login rate limits.
#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/user.h"
#include "auth/user_service.h"
#include "common/clock.h"
#include "common/random.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"
#include "testing/query_count.h"
#include "testing/user_fixtures.h"
#include "testing/migrated_database.h"

namespace opsdesk::auth {
namespace {

using storage::Engine;

using test_util::StatusOf;

constexpr TimestampMs kStart = 1'700'000'000'000;
constexpr const char* kPassword = "correct horse battery";
constexpr const char* kAddress = "192.0.2.10";

class AuthServiceTest : public testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    InitCrypto();
    ASSERT_NO_FATAL_FAILURE(test_util::OpenMigratedDatabase(GetParam(), clock_, &test_db_));
    users_ = std::make_unique<UserService>(db(), clock_);
    auth_ = std::make_unique<AuthService>(db(), clock_);
    ASSERT_OK_AND_ASSIGN(admin_, test_util::InsertTestUser(db(), kStart, "admin@example.com", Role::kAdmin));
    ASSERT_OK_AND_ASSIGN(lead_, test_util::InsertTestUser(db(), kStart, "lead@example.com", Role::kLead));
    ASSERT_OK_AND_ASSIGN(agent_, test_util::InsertTestUser(db(), kStart, "agent@example.com", Role::kAgent));
    ASSERT_OK_AND_ASSIGN(requester_, test_util::InsertTestUser(db(), kStart, "requester@example.com", Role::kRequester));
  }

  storage::Database& db() { return test_db_->db(); }

  // A user who signs in with kPassword (hashed through UserService).
  Result<User> CreateSignInUser(const std::string& email, const std::string& role = "agent") {
    NewUser input;
    input.email = email;
    input.display_name = "Signs In";
    input.role = role;
    input.password = kPassword;
    return users_->Create(Actor::Of(admin_), input);
  }

  int64_t Count(const std::string& sql, const storage::Params& params = {}) {
    return test_util::QueryCount(db(), sql, params);
  }

  // Every value of every row of `sql`, as text.
  std::vector<std::string> AllValues(const std::string& sql) {
    std::vector<std::string> values;
    Status status = db().Read([&](storage::Transaction& tx) -> Status {
      auto rows = tx.Query(sql);
      if (!rows.ok()) return rows.status();
      for (const auto& row : *rows) {
        for (size_t col = 0; col < row.size(); ++col) values.push_back(row.Text(col));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return values;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<storage::TestDatabase> test_db_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<AuthService> auth_;
  User admin_, lead_, agent_, requester_;
};

// ---------------------------------------------------------------------------
// Users

TEST_P(AuthServiceTest, CreateUserReportsEveryInvalidField) {
  int64_t before = Count("SELECT COUNT(*) FROM users");
  NewUser input;
  input.email = "not an address";
  input.display_name = "";
  input.role = "superuser";
  input.time_zone = "Mars/Olympus_Mons";
  input.password = "short";
  auto refused = users_->Create(Actor::Of(admin_), input);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
  const auto& fields = refused.status().fields();
  for (const char* field : {"email", "display_name", "role", "time_zone", "password"}) {
    EXPECT_EQ(fields.count(field), 1u) << field;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), before);
}

TEST_P(AuthServiceTest, CreateUserRejectsEachBadFieldAlone) {
  struct Case {
    const char* field;
    NewUser input;
  };
  auto valid = [] {
    NewUser u;
    u.email = "valid@example.com";
    u.display_name = "Valid";
    return u;
  };
  std::vector<Case> cases;
  cases.push_back({"role", valid()});
  cases.back().input.role = "Admin";  // roles are lower-case words
  cases.push_back({"time_zone", valid()});
  cases.back().input.time_zone = "Europe/Atlantis";
  cases.push_back({"time_zone", valid()});
  cases.back().input.time_zone = "";
  cases.push_back({"password", valid()});
  cases.back().input.password = "1234567";  // 7 characters
  cases.push_back({"email", valid()});
  cases.back().input.email = "two@@example.com";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    auto refused = users_->Create(Actor::System(), c.input);
    ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status().ToString();
    EXPECT_EQ(refused.status().fields().size(), 1u) << refused.status().ToString();
    EXPECT_EQ(refused.status().fields().count(c.field), 1u) << refused.status().ToString();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE email_norm = 'valid@example.com'"), 0);

  // The same input with the fields fixed is accepted, with an IANA zone kept as given.
  NewUser fixed = valid();
  fixed.time_zone = "Europe/Berlin";
  fixed.role = "lead";
  ASSERT_OK_AND_ASSIGN(User user, users_->Create(Actor::System(), fixed));
  EXPECT_EQ(user.time_zone, "Europe/Berlin");
  EXPECT_EQ(user.role, Role::kLead);
  EXPECT_TRUE(user.is_active);
  EXPECT_EQ(user.created_at, kStart);
}

TEST_P(AuthServiceTest, EmailUniquenessIgnoresCase) {
  NewUser first;
  first.email = "Dana.Scully@Example.com";
  first.display_name = "Dana";
  ASSERT_OK_AND_ASSIGN(User dana, users_->Create(Actor::Of(admin_), first));
  EXPECT_EQ(dana.email, "Dana.Scully@Example.com");  // stored as given

  NewUser second = first;
  second.email = "dana.scully@EXAMPLE.COM";
  second.display_name = "Another Dana";
  auto conflict = users_->Create(Actor::Of(admin_), second);
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict) << conflict.status().ToString();
  second.email = "  DANA.SCULLY@example.com ";
  EXPECT_EQ(users_->Create(Actor::Of(admin_), second).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE email_norm = 'dana.scully@example.com'"), 1);
}

TEST_P(AuthServiceTest, OnlyAdminsCreateAndChangeUsers) {
  NewUser input;
  input.email = "newbie@example.com";
  input.display_name = "Newbie";
  UserPatch patch;
  patch.role = "admin";
  for (const User* who : {&lead_, &agent_, &requester_}) {
    SCOPED_TRACE(who->email);
    EXPECT_EQ(users_->Create(Actor::Of(*who), input).status().code(), StatusCode::kPermissionDenied);
    // Not even on themselves: a lead may not promote themselves.
    EXPECT_EQ(users_->Update(Actor::Of(*who), who->id, patch).status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(users_->Update(Actor::Of(*who), requester_.id, patch).status().code(), StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE email_norm = 'newbie@example.com'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE role = 'admin'"), 1);

  ASSERT_OK_AND_ASSIGN(User created, users_->Create(Actor::Of(admin_), input));
  EXPECT_EQ(created.role, Role::kRequester);  // the default
  clock_.Advance(1000);
  UserPatch promote;
  promote.role = "agent";
  promote.display_name = "Newbie Agent";
  promote.time_zone = "Asia/Tokyo";
  ASSERT_OK_AND_ASSIGN(User changed, users_->Update(Actor::Of(admin_), created.id, promote));
  EXPECT_EQ(changed.role, Role::kAgent);
  EXPECT_EQ(changed.display_name, "Newbie Agent");
  EXPECT_EQ(changed.time_zone, "Asia/Tokyo");
  EXPECT_EQ(changed.updated_at, clock_.NowMs());
  ASSERT_OK_AND_ASSIGN(User reread, users_->Get(Actor::Of(admin_), created.id));
  EXPECT_EQ(reread.role, Role::kAgent);
  EXPECT_EQ(reread.time_zone, "Asia/Tokyo");

  UserPatch bad;
  bad.time_zone = "Nowhere/Special";
  bad.role = "root";
  auto refused = users_->Update(Actor::Of(admin_), created.id, bad);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("time_zone"), 1u);
  EXPECT_EQ(refused.status().fields().count("role"), 1u);
  EXPECT_EQ(users_->Update(Actor::Of(admin_), 987654, promote).status().code(), StatusCode::kNotFound);
}

TEST_P(AuthServiceTest, AdminCannotLockThemselvesOut) {
  UserPatch deactivate;
  deactivate.is_active = false;
  auto refused = users_->Update(Actor::Of(admin_), admin_.id, deactivate);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("is_active"), 1u);
  UserPatch demote;
  demote.role = "agent";
  refused = users_->Update(Actor::Of(admin_), admin_.id, demote);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("role"), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE id = ? AND role = 'admin' AND is_active = 1", {admin_.id}), 1);
}

// ---------------------------------------------------------------------------
// Sign-in and tokens

TEST_P(AuthServiceTest, LoginIssuesSessionTokenThatAuthenticates) {
  ASSERT_OK_AND_ASSIGN(User user, CreateSignInUser("Fox.Mulder@Example.com"));
  // E-mail matching ignores case and surrounding space.
  ASSERT_OK_AND_ASSIGN(LoginResult login, auth_->Login("  fox.mulder@EXAMPLE.com ", kPassword, kAddress));
  EXPECT_EQ(login.user.id, user.id);
  EXPECT_EQ(login.token.kind, "session");
  EXPECT_EQ(login.token.secret.rfind("odt_", 0), 0u);
  EXPECT_EQ(login.token.secret.size(), 4u + 64u);
  EXPECT_EQ(login.token.created_at, kStart);
  EXPECT_EQ(login.token.expires_at, kStart + AuthService::kSessionLifetimeMs);

  ASSERT_OK_AND_ASSIGN(User authenticated, auth_->Authenticate(login.token.secret));
  EXPECT_EQ(authenticated.id, user.id);
  EXPECT_EQ(authenticated.email, "Fox.Mulder@Example.com");
  EXPECT_EQ(authenticated.role, Role::kAgent);

  // Each login is its own session with its own secret.
  ASSERT_OK_AND_ASSIGN(LoginResult again, auth_->Login("fox.mulder@example.com", kPassword, kAddress));
  EXPECT_NE(again.token.secret, login.token.secret);
  EXPECT_NE(again.token.id, login.token.id);

  // Anything that is not an issued token is refused.
  std::string forged = login.token.secret;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(auth_->Authenticate(forged).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate("odt_short").status().code(), StatusCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, FailedLoginsDoNotRevealWhichAccountsExist) {
  ASSERT_OK(CreateSignInUser("walter@example.com"));
  auto wrong_password = auth_->Login("walter@example.com", "incorrect horse", kAddress);
  auto unknown_email = auth_->Login("nobody@example.com", kPassword, kAddress);
  auto no_password = auth_->Login("admin@example.com", kPassword, kAddress);  // account without a password
  auto empty_password = auth_->Login("walter@example.com", "", kAddress);
  for (const auto* result : {&wrong_password, &unknown_email, &no_password, &empty_password}) {
    ASSERT_EQ(result->status().code(), StatusCode::kUnauthenticated) << result->status().ToString();
    EXPECT_EQ(result->status().message(), wrong_password.status().message());
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens"), 0);
}

// An address that is not even valid UTF-8 is just another unknown account, on
// both engines (PostgreSQL refuses such bytes as a query parameter).
TEST_P(AuthServiceTest, LoginWithInvalidUtf8EmailIsUnauthenticated) {
  auto known = auth_->Login("nobody@example.com", kPassword, kAddress);
  auto garbled = auth_->Login("caf\xFF@example.com", kPassword, kAddress);
  ASSERT_EQ(garbled.status().code(), StatusCode::kUnauthenticated) << garbled.status().ToString();
  EXPECT_EQ(garbled.status().message(), known.status().message());
}

TEST_P(AuthServiceTest, TokensAndPasswordsAreStoredHashed) {
  ASSERT_OK_AND_ASSIGN(User user, CreateSignInUser("hashed@example.com"));
  ASSERT_OK_AND_ASSIGN(LoginResult login, auth_->Login("hashed@example.com", kPassword, kAddress));
  ASSERT_OK_AND_ASSIGN(IssuedToken personal, auth_->CreateToken(Actor::Of(user), user.id, "ci", 0));

  std::vector<std::string> values =
      AllValues("SELECT id, user_id, token_hash, kind, name, created_at, expires_at, revoked_at FROM api_tokens");
  ASSERT_EQ(values.size(), 16u);  // two tokens, eight columns
  for (const std::string& secret : {login.token.secret, personal.secret}) {
    const std::string random_part = secret.substr(4);
    ASSERT_EQ(random_part.size(), 64u);
    for (const auto& value : values) {
      EXPECT_EQ(value.find(random_part), std::string::npos) << "a token secret is stored: " << value;
    }
  }
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT token_hash) FROM api_tokens"), 2);

  for (const auto& value : AllValues("SELECT email, email_norm, display_name, password_hash FROM users")) {
    EXPECT_EQ(value.find(kPassword), std::string::npos) << "a password is stored: " << value;
  }
  std::vector<std::string> hash = AllValues("SELECT password_hash FROM users WHERE id = " + std::to_string(user.id));
  ASSERT_EQ(hash.size(), 1u);
  EXPECT_EQ(hash[0].rfind("$argon2id$", 0), 0u) << hash[0];
}

TEST_P(AuthServiceTest, LogoutRevokesOnlyThatSession) {
  ASSERT_OK(CreateSignInUser("leaving@example.com"));
  ASSERT_OK_AND_ASSIGN(LoginResult laptop, auth_->Login("leaving@example.com", kPassword, kAddress));
  ASSERT_OK_AND_ASSIGN(LoginResult phone, auth_->Login("leaving@example.com", kPassword, kAddress));
  clock_.Advance(1000);
  ASSERT_OK(auth_->Logout(laptop.token.secret));
  EXPECT_EQ(auth_->Authenticate(laptop.token.secret).status().code(), StatusCode::kUnauthenticated);
  ASSERT_OK(auth_->Authenticate(phone.token.secret));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens WHERE id = " + std::to_string(laptop.token.id) +
                  " AND revoked_at = " + std::to_string(clock_.NowMs())),
            1);
  // A second logout with the same token has nothing left to end.
  EXPECT_EQ(auth_->Logout(laptop.token.secret).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Logout("garbage").code(), StatusCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, SessionExpiresAfterItsLifetime) {
  ASSERT_OK(CreateSignInUser("expiring@example.com"));
  ASSERT_OK_AND_ASSIGN(LoginResult login, auth_->Login("expiring@example.com", kPassword, kAddress));
  clock_.Advance(AuthService::kSessionLifetimeMs - 1);
  ASSERT_OK(auth_->Authenticate(login.token.secret));
  clock_.Advance(1);  // now == expires_at
  EXPECT_EQ(auth_->Authenticate(login.token.secret).status().code(), StatusCode::kUnauthenticated);
  clock_.Advance(24LL * 3600 * 1000);
  EXPECT_EQ(auth_->Authenticate(login.token.secret).status().code(), StatusCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, DeactivatedUsersTokensAreRejected) {
  ASSERT_OK_AND_ASSIGN(User user, CreateSignInUser("departed@example.com"));
  ASSERT_OK_AND_ASSIGN(LoginResult login, auth_->Login("departed@example.com", kPassword, kAddress));
  ASSERT_OK_AND_ASSIGN(IssuedToken personal, auth_->CreateToken(Actor::Of(user), user.id, "script", 0));
  ASSERT_OK(auth_->Authenticate(personal.secret));

  UserPatch deactivate;
  deactivate.is_active = false;
  ASSERT_OK(users_->Update(Actor::Of(admin_), user.id, deactivate));
  EXPECT_EQ(auth_->Authenticate(login.token.secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate(personal.secret).status().code(), StatusCode::kUnauthenticated);
  auto relogin = auth_->Login("departed@example.com", kPassword, kAddress);
  EXPECT_EQ(relogin.status().code(), StatusCode::kUnauthenticated);
}

TEST_P(AuthServiceTest, PasswordChangeEndsSessions) {
  ASSERT_OK_AND_ASSIGN(User user, CreateSignInUser("rotating@example.com"));
  ASSERT_OK_AND_ASSIGN(LoginResult first, auth_->Login("rotating@example.com", kPassword, kAddress));
  ASSERT_OK_AND_ASSIGN(LoginResult second, auth_->Login("rotating@example.com", kPassword, "198.51.100.7"));

  UserPatch patch;
  patch.password = "a brand new passphrase";
  ASSERT_OK(users_->Update(Actor::Of(admin_), user.id, patch));
  EXPECT_EQ(auth_->Authenticate(first.token.secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate(second.token.secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->Login("rotating@example.com", kPassword, kAddress).status().code(),
            StatusCode::kUnauthenticated);
  ASSERT_OK_AND_ASSIGN(LoginResult fresh, auth_->Login("rotating@example.com", "a brand new passphrase", kAddress));
  ASSERT_OK(auth_->Authenticate(fresh.token.secret));

  UserPatch too_short;
  too_short.password = "tiny";
  auto refused = users_->Update(Actor::Of(admin_), user.id, too_short);
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().fields().count("password"), 1u);
  ASSERT_OK(auth_->Authenticate(fresh.token.secret));  // a refused change ends nothing
}

TEST_P(AuthServiceTest, PersonalTokensBelongToTheirOwner) {
  Actor agent = Actor::Of(agent_);
  Actor requester = Actor::Of(requester_);
  ASSERT_OK_AND_ASSIGN(IssuedToken ci, auth_->CreateToken(agent, agent_.id, "ci pipeline", 0));
  ASSERT_OK_AND_ASSIGN(IssuedToken backup, auth_->CreateToken(agent, agent_.id, "backup", 30));
  ASSERT_OK_AND_ASSIGN(IssuedToken theirs, auth_->CreateToken(requester, requester_.id, "mine", 0));
  EXPECT_EQ(ci.kind, "personal");
  EXPECT_EQ(ci.name, "ci pipeline");
  EXPECT_FALSE(ci.expires_at.has_value());
  EXPECT_EQ(backup.expires_at, kStart + 30LL * 24 * 3600 * 1000);
  ASSERT_OK_AND_ASSIGN(User via_token, auth_->Authenticate(ci.secret));
  EXPECT_EQ(via_token.id, agent_.id);

  // Nobody mints tokens for someone else, not even an admin.
  EXPECT_EQ(auth_->CreateToken(agent, requester_.id, "sneaky", 0).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(auth_->CreateToken(Actor::Of(admin_), agent_.id, "sneaky", 0).status().code(),
            StatusCode::kPermissionDenied);

  ASSERT_OK_AND_ASSIGN(std::vector<TokenInfo> listed, auth_->ListTokens(agent));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, ci.id);
  EXPECT_EQ(listed[0].name, "ci pipeline");
  EXPECT_EQ(listed[1].id, backup.id);
  EXPECT_EQ(listed[1].expires_at, backup.expires_at);
  for (const auto& t : listed) EXPECT_FALSE(t.revoked_at.has_value());

  // Someone else's token looks like a token that does not exist, and survives.
  EXPECT_EQ(auth_->RevokeToken(requester, ci.id).code(), StatusCode::kNotFound);
  ASSERT_OK(auth_->Authenticate(ci.secret));

  clock_.Advance(5000);
  ASSERT_OK(auth_->RevokeToken(agent, ci.id));
  EXPECT_EQ(auth_->Authenticate(ci.secret).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->RevokeToken(agent, ci.id).code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(listed, auth_->ListTokens(agent));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].revoked_at, kStart + 5000);
  EXPECT_FALSE(listed[1].revoked_at.has_value());
  ASSERT_OK(auth_->Authenticate(backup.secret));
  ASSERT_OK(auth_->Authenticate(theirs.secret));

  ASSERT_OK_AND_ASSIGN(std::vector<TokenInfo> requester_tokens, auth_->ListTokens(requester));
  ASSERT_EQ(requester_tokens.size(), 1u);
  EXPECT_EQ(requester_tokens[0].id, theirs.id);
}

TEST_P(AuthServiceTest, ListTokensShowsPersonalTokensOnly) {
  ASSERT_OK_AND_ASSIGN(User user, CreateSignInUser("lister@example.com"));
  ASSERT_OK(auth_->Login("lister@example.com", kPassword, kAddress));
  ASSERT_OK_AND_ASSIGN(IssuedToken personal, auth_->CreateToken(Actor::Of(user), user.id, "cli", 0));
  ASSERT_OK_AND_ASSIGN(std::vector<TokenInfo> listed, auth_->ListTokens(Actor::Of(user)));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, personal.id);
  EXPECT_EQ(listed[0].kind, "personal");
}

TEST_P(AuthServiceTest, PersonalTokenExpiry) {
  Actor agent = Actor::Of(agent_);
  ASSERT_OK_AND_ASSIGN(IssuedToken day, auth_->CreateToken(agent, agent_.id, "one day", 1));
  ASSERT_OK_AND_ASSIGN(IssuedToken forever, auth_->CreateToken(agent, agent_.id, "forever", 0));
  clock_.Advance(24LL * 3600 * 1000 - 1);
  ASSERT_OK(auth_->Authenticate(day.secret));
  clock_.Advance(1);
  EXPECT_EQ(auth_->Authenticate(day.secret).status().code(), StatusCode::kUnauthenticated);
  clock_.Advance(10LL * 365 * 24 * 3600 * 1000);
  ASSERT_OK(auth_->Authenticate(forever.secret));
}

TEST_P(AuthServiceTest, PersonalTokenInputIsValidated) {
  Actor agent = Actor::Of(agent_);
  auto no_name = auth_->CreateToken(agent, agent_.id, "", 0);
  ASSERT_EQ(no_name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_name.status().fields().count("name"), 1u);
  for (int days : {-1, 3651}) {
    auto bad = auth_->CreateToken(agent, agent_.id, "ok", days);
    ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad.status().fields().count("expires_in_days"), 1u);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens"), 0);
}

// ---------------------------------------------------------------------------
// Rate limits (defaults: 5 failures per account, 20 per address, 15 minutes)

constexpr int64_t kWindowMs = 15 * 60 * 1000;

TEST_P(AuthServiceTest, AccountIsLockedAfterFiveFailuresUntilWindowPasses) {
  ASSERT_OK(CreateSignInUser("target@example.com"));
  for (int attempt = 0; attempt < 5; ++attempt) {
    SCOPED_TRACE(attempt);
    clock_.Advance(1000);
    auto failed = auth_->Login("target@example.com", "guess " + std::to_string(attempt), kAddress);
    ASSERT_EQ(failed.status().code(), StatusCode::kUnauthenticated) << failed.status().ToString();
  }
  TimestampMs last_failure = clock_.NowMs();
  TimestampMs first_failure = last_failure - 4000;

  // Even the right password is refused now, from any address and in any case.
  auto limited = auth_->Login("target@example.com", kPassword, kAddress);
  ASSERT_EQ(limited.status().code(), StatusCode::kLimitExceeded) << limited.status().ToString();
  EXPECT_GT(limited.status().retry_after_s(), 0);
  EXPECT_LE(limited.status().retry_after_s(), kWindowMs / 1000);
  auto elsewhere = auth_->Login("TARGET@example.com", kPassword, "198.51.100.99");
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kLimitExceeded);
  // Other accounts are not affected.
  ASSERT_OK(CreateSignInUser("bystander@example.com"));
  ASSERT_OK(auth_->Login("bystander@example.com", kPassword, kAddress));

  // Half-way through the wait is shorter but still there.
  clock_.Set(first_failure + kWindowMs / 2);
  auto later = auth_->Login("target@example.com", kPassword, kAddress);
  ASSERT_EQ(later.status().code(), StatusCode::kLimitExceeded);
  EXPECT_LT(later.status().retry_after_s(), limited.status().retry_after_s());
  EXPECT_GT(later.status().retry_after_s(), 0);

  // Once the oldest failure leaves the window there are only four: allowed again.
  clock_.Set(first_failure + kWindowMs + 1);
  ASSERT_OK_AND_ASSIGN(LoginResult login, auth_->Login("target@example.com", kPassword, kAddress));
  ASSERT_OK(auth_->Authenticate(login.token.secret));
}

TEST_P(AuthServiceTest, SuccessfulLoginClearsAccountFailures) {
  ASSERT_OK(CreateSignInUser("forgetful@example.com"));
  for (int round = 0; round < 2; ++round) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      ASSERT_EQ(auth_->Login("forgetful@example.com", "wrong", kAddress).status().code(),
                StatusCode::kUnauthenticated);
    }
    ASSERT_OK(auth_->Login("forgetful@example.com", kPassword, kAddress));
  }
}

TEST_P(AuthServiceTest, AddressIsLimitedAfterTwentyFailuresAcrossAccounts) {
  ASSERT_OK(CreateSignInUser("real@example.com"));
  const std::string attacker = "203.0.113.66";
  // One failure per account, so no account reaches its own limit.
  for (int i = 0; i < 19; ++i) {
    auto failed = auth_->Login("victim" + std::to_string(i) + "@example.com", "guess", attacker);
    ASSERT_EQ(failed.status().code(), StatusCode::kUnauthenticated) << i;
  }
  // 19 failures: still under the limit (a success does not clear an address).
  ASSERT_OK(auth_->Login("real@example.com", kPassword, attacker));
  ASSERT_EQ(auth_->Login("victim19@example.com", "guess", attacker).status().code(), StatusCode::kUnauthenticated);

  auto limited = auth_->Login("real@example.com", kPassword, attacker);
  ASSERT_EQ(limited.status().code(), StatusCode::kLimitExceeded) << limited.status().ToString();
  EXPECT_GT(limited.status().retry_after_s(), 0);
  EXPECT_EQ(auth_->Login("fresh@example.com", "guess", attacker).status().code(), StatusCode::kLimitExceeded);
  // The same account from another address is fine.
  ASSERT_OK(auth_->Login("real@example.com", kPassword, "192.0.2.200"));

  clock_.Advance(kWindowMs + 1);
  ASSERT_OK(auth_->Login("real@example.com", kPassword, attacker));
}

std::string EngineParamName(const testing::TestParamInfo<Engine>& info) { return storage::EngineName(info.param); }

INSTANTIATE_TEST_SUITE_P(Engines, AuthServiceTest, testing::Values(Engine::kSqlite, Engine::kPostgres),
                         EngineParamName);

}  // namespace
}  // namespace opsdesk::auth
