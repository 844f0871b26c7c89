#include "kb/diff.h"

#include <algorithm>

namespace opsdesk::kb {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace

const char* DiffOpName(DiffOp op) {
  switch (op) {
    case DiffOp::kEqual: return "equal";
    case DiffOp::kInsert: return "insert";
    case DiffOp::kDelete: return "delete";
  }
  return "?";
}

std::vector<DiffLine> DiffLines(std::string_view before, std::string_view after, int max_edits) {
  const std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max_d = std::min(n + m, max_edits);
  const int offset = max_d + 1;
  // v[k + offset]: the furthest x on diagonal k; one snapshot per d to walk back.
  std::vector<int> v(2 * offset + 1, 0);
  std::vector<std::vector<int>> trace;
  int found_d = -1;
  for (int d = 0; d <= max_d && found_d < 0; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset])) ? v[k + 1 + offset]
                                                                              : v[k - 1 + offset] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[k + offset] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
  }
  std::vector<DiffLine> out;
  if (found_d < 0) {  // too different: all out, all in
    for (auto line : a) out.push_back({DiffOp::kDelete, std::string(line)});
    for (auto line : b) out.push_back({DiffOp::kInsert, std::string(line)});
    return out;
  }
  // Walk back from (n, m) through the snapshots.
  int x = n, y = m;
  for (int d = found_d; d > 0; --d) {
    const std::vector<int>& pv = trace[d];
    int k = x - y;
    int prev_k = (k == -d || (k != d && pv[k - 1 + offset] < pv[k + 1 + offset])) ? k + 1 : k - 1;
    int prev_x = pv[prev_k + offset];
    int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      out.push_back({DiffOp::kEqual, std::string(a[x - 1])});
      --x, --y;
    }
    if (x == prev_x) {
      out.push_back({DiffOp::kInsert, std::string(b[y - 1])});
      --y;
    } else {
      out.push_back({DiffOp::kDelete, std::string(a[x - 1])});
      --x;
    }
  }
  while (x > 0 && y > 0) {
    out.push_back({DiffOp::kEqual, std::string(a[x - 1])});
    --x, --y;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace opsdesk::kb
