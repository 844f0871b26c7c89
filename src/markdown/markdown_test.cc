#include "markdown/markdown.h"

#include <gtest/gtest.h>

namespace opsdesk::markdown {

TEST(MarkdownTest, RendersGfm) {
  std::string html = RenderHtml("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~gone~~");
  EXPECT_NE(html.find("<h1>Title</h1>"), std::string::npos);
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("checkbox"), std::string::npos);
  EXPECT_NE(html.find("<del>gone</del>"), std::string::npos);
}

TEST(MarkdownTest, OmitsRawHtmlAndUnsafeLinks) {
  std::string html = RenderHtml("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_EQ(html.find("onerror"), std::string::npos);
}

}  // namespace opsdesk::markdown
