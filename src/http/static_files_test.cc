#include "http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <zlib.h>

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
    std::string big;
    for (int i = 0; i < 400; ++i) big += "function f" + std::to_string(i) + "(){return 'opsdesk';}\n";
    Write("assets/big-77aa.js", big);
    big_js_ = big;
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
  std::string big_js_;
  std::unique_ptr<StaticFiles> files_;
};

std::string Gunzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

TEST_F(StaticFilesTest, GzipsLargeTextFilesForClientsThatAcceptIt) {
  Request plain = Get("/assets/big-77aa.js");
  auto identity = files_->Serve(plain);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->body, big_js_);
  EXPECT_EQ(HeaderOf(*identity, "Content-Encoding"), "");
  EXPECT_EQ(HeaderOf(*identity, "Vary"), "Accept-Encoding");

  Request gzip = plain;
  gzip.headers.emplace_back("Accept-Encoding", "gzip, deflate, br");
  auto compressed = files_->Serve(gzip);
  ASSERT_TRUE(compressed);
  EXPECT_EQ(HeaderOf(*compressed, "Content-Encoding"), "gzip");
  EXPECT_LT(compressed->body.size(), big_js_.size() / 4);
  EXPECT_EQ(Gunzip(compressed->body), big_js_);
  // The two representations have different validators.
  EXPECT_NE(HeaderOf(*compressed, "ETag"), HeaderOf(*identity, "ETag"));
  Request revalidate = gzip;
  revalidate.headers.emplace_back("If-None-Match", HeaderOf(*compressed, "ETag"));
  EXPECT_EQ(files_->Serve(revalidate)->status, 304);

  // Tiny files are not worth it.
  Request small_file = gzip;
  small_file.path = "/assets/index-3f9a1c.js";
  auto small = files_->Serve(small_file);
  ASSERT_TRUE(small);
  EXPECT_EQ(HeaderOf(*small, "Content-Encoding"), "");
  EXPECT_EQ(small->body, "console.log(1)");
}

TEST(AcceptsGzipTest, ReadsCodingsAndQualities) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.0, br"));
}

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
