// A line diff (Myers' O(ND) algorithm): what a reader needs to see what changed
// between two versions of an article.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opsdesk::kb {

enum class DiffOp { kEqual, kInsert, kDelete };
const char* DiffOpName(DiffOp op);  // equal | insert | delete

struct DiffLine {
  DiffOp op = DiffOp::kEqual;
  std::string text;  // the line, without its newline
};

// The lines of `before` and `after` as one sequence: equal lines once, deleted
// lines of `before` before the inserted lines of `after` that replace them.
// Differences beyond `max_edits` lines are reported as the whole of `before`
// deleted and the whole of `after` inserted (bounded time and memory).
std::vector<DiffLine> DiffLines(std::string_view before, std::string_view after, int max_edits = 4000);

}  // namespace opsdesk::kb
