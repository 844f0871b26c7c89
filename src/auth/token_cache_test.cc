// The token cache must never let a revoked, expired or deactivated token through
// the node that made the change, and must expire its entries.
#include "auth/token_cache.h"

#include <gtest/gtest.h>

#include "auth/auth_service.h"
#include "auth/user_service.h"
#include "storage/migrations.h"
#include "storage/testing.h"
#include "testing/status_matchers.h"

namespace opsdesk::auth {
namespace {

constexpr TimestampMs kStart = 1'700'000'000'000;

TEST(TokenCacheTest, EntriesExpireWithTtlAndWithTheToken) {
  ManualClock clock(kStart);
  TokenCache cache(clock, 1000);
  User user;
  user.id = 7;
  cache.Remember("a", user, std::nullopt);
  cache.Remember("b", user, kStart + 10);  // the token itself expires sooner
  ASSERT_TRUE(cache.Find("a"));
  ASSERT_TRUE(cache.Find("b"));
  clock.Advance(10);
  EXPECT_TRUE(cache.Find("a"));
  EXPECT_FALSE(cache.Find("b"));
  clock.Advance(990);
  EXPECT_FALSE(cache.Find("a"));
}

// Found by a keyed hash, confirmed by the secret itself: only the exact
// secret finds its entry.
TEST(TokenCacheTest, OnlyTheExactSecretFindsItsEntry) {
  ManualClock clock(kStart);
  TokenCache cache(clock, 1000);
  User user;
  user.id = 7;
  cache.Remember("odt_secret", user, std::nullopt);
  EXPECT_TRUE(cache.Find("odt_secret"));
  EXPECT_FALSE(cache.Find("odt_secreT"));
  EXPECT_FALSE(cache.Find("odt_secret "));
  EXPECT_FALSE(cache.Find(""));
}

TEST(TokenCacheTest, ForgetsTokensAndUsers) {
  ManualClock clock(kStart);
  TokenCache cache(clock, 1000);
  User ana, bo;
  ana.id = 1;
  bo.id = 2;
  cache.Remember("ana-1", ana, std::nullopt);
  cache.Remember("ana-2", ana, std::nullopt);
  cache.Remember("bo-1", bo, std::nullopt);
  cache.ForgetToken("ana-1");
  EXPECT_FALSE(cache.Find("ana-1"));
  EXPECT_TRUE(cache.Find("ana-2"));
  cache.ForgetUser(1);
  EXPECT_FALSE(cache.Find("ana-2"));
  EXPECT_TRUE(cache.Find("bo-1"));
}

class CachedAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(test_db_, storage::TestDatabase::Create(storage::Engine::kSqlite));
    ASSERT_OK(storage::Migrate(test_db_->db(), clock_));
  }
  ManualClock clock_{kStart};
  TokenCache cache_{clock_, 1000};
  std::unique_ptr<storage::TestDatabase> test_db_;
};

TEST_F(CachedAuthTest, RevocationAndDeactivationApplyAtOnce) {
  AuthService auth(test_db_->db(), clock_, {}, &cache_);
  UserService users(test_db_->db(), clock_, &cache_);
  ASSERT_OK_AND_ASSIGN(User admin, users.Create(Actor::System(), {"admin@example.com", "Admin", "admin",
                                                                  std::string("long enough"), "UTC", true}));
  ASSERT_OK_AND_ASSIGN(User agent, users.Create(Actor::System(), {"agent@example.com", "Agent", "agent",
                                                                  std::string("long enough"), "UTC", true}));
  ASSERT_OK_AND_ASSIGN(auto session, auth.Login("agent@example.com", "long enough", "192.0.2.1"));
  ASSERT_OK(auth.Authenticate(session.token.secret));  // now cached
  ASSERT_OK(auth.Logout(session.token.secret));
  EXPECT_EQ(auth.Authenticate(session.token.secret).status().code(), StatusCode::kUnauthenticated);

  ASSERT_OK_AND_ASSIGN(auto personal, auth.CreateToken(Actor::Of(agent), agent.id, "ci", 0));
  ASSERT_OK(auth.Authenticate(personal.secret));
  ASSERT_OK(auth.RevokeToken(Actor::Of(agent), personal.id));
  EXPECT_EQ(auth.Authenticate(personal.secret).status().code(), StatusCode::kUnauthenticated);

  ASSERT_OK_AND_ASSIGN(auto second, auth.CreateToken(Actor::Of(agent), agent.id, "ci-2", 0));
  ASSERT_OK_AND_ASSIGN(User seen, auth.Authenticate(second.secret));
  EXPECT_EQ(seen.role, Role::kAgent);
  UserPatch promote;
  promote.role = "lead";
  ASSERT_OK(users.Update(Actor::Of(admin), agent.id, promote));
  ASSERT_OK_AND_ASSIGN(User promoted, auth.Authenticate(second.secret));
  EXPECT_EQ(promoted.role, Role::kLead);  // not the cached agent role
  UserPatch deactivate;
  deactivate.is_active = false;
  ASSERT_OK(users.Update(Actor::Of(admin), agent.id, deactivate));
  EXPECT_EQ(auth.Authenticate(second.secret).status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace opsdesk::auth
