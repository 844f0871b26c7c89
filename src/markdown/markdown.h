// Markdown to HTML with cmark-gfm in safe mode: raw HTML is omitted and links
// with javascript:, vbscript:, file: or data: URLs are dropped. Tables,
// strikethrough, autolinks and task lists are on.
#pragma once

#include <string>
#include <string_view>

namespace opsdesk::markdown {

std::string RenderHtml(std::string_view markdown);

}  // namespace opsdesk::markdown
