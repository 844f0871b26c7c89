#include "http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace opsdesk::http {
namespace {
namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("opsdesk-static-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "assets");
    Write("index.html", "<!doctype html><div id=root></div>");
    Write("assets/index-3f9a1c.js", "console.log(1)");
    Write("favicon.svg", "<svg/>");
    auto files = StaticFiles::Load(root_.string());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = std::move(*files);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& name, const std::string& content) { std::ofstream(root_ / name) << content; }
  static Request Get(const std::string& path) {
    Request r;
    r.method = "GET";
    r.path = path;
    return r;
  }
  static std::string HeaderOf(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  fs::path root_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCaching) {
  auto index = files_->Serve(Get("/"));
  ASSERT_TRUE(index);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(*index, "Cache-Control"), "no-cache");
  auto js = files_->Serve(Get("/assets/index-3f9a1c.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(HeaderOf(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(files_->Serve(Get("/favicon.svg"))->content_type, "image/svg+xml");
}

TEST_F(StaticFilesTest, FallsBackToTheAppShellForRoutesOnly) {
  auto route = files_->Serve(Get("/tickets/42"));
  ASSERT_TRUE(route);
  EXPECT_NE(route->body.find("id=root"), std::string::npos);
  EXPECT_FALSE(files_->Serve(Get("/assets/missing.js")));
  Request post = Get("/tickets/42");
  post.method = "POST";
  EXPECT_FALSE(files_->Serve(post));
}

TEST_F(StaticFilesTest, RevalidatesWithEtag) {
  auto first = files_->Serve(Get("/"));
  Request again = Get("/");
  again.headers.emplace_back("If-None-Match", HeaderOf(*first, "ETag"));
  auto second = files_->Serve(again);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(second->body.empty());
}

TEST(StaticFilesAbsentTest, MissingRootServesNothing) {
  auto files = StaticFiles::Load("/nonexistent/opsdesk/web");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*files)->file_count(), 0u);
}

TEST(SecurityHeadersTest, AddsCspAndFrameProtection) {
  Response r;
  AddSecurityHeaders(r);
  bool csp = false, frame = false, sniff = false;
  for (const auto& [k, v] : r.headers) {
    csp = csp || (k == "Content-Security-Policy" && v.find("frame-ancestors 'none'") != std::string::npos);
    frame = frame || (k == "X-Frame-Options" && v == "DENY");
    sniff = sniff || (k == "X-Content-Type-Options" && v == "nosniff");
  }
  EXPECT_TRUE(csp && frame && sniff);
}

}  // namespace
}  // namespace opsdesk::http
