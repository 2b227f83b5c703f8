// SPDX-License-Identifier: Apache-2.0
// Unified diff: common prefix and suffix trimmed, then a longest-common-subsequence table for
// the differing middle (replaced wholesale when it is too large for the table).
#include "core/unified_diff.hpp"

#include <algorithm>
#include <vector>

namespace authdiag::core {
namespace {

constexpr std::size_t kMaxTableCells = 4'000'000;

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t newline = text.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

enum class Op : char { Keep = ' ', Remove = '-', Add = '+' };

struct Edit {
  Op op;
  std::size_t a;  // index into before (Keep/Remove)
  std::size_t b;  // index into after (Keep/Add)
};

std::vector<Edit> edit_script(const std::vector<std::string_view>& a,
                              const std::vector<std::string_view>& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i) edits.push_back({Op::Keep, i, i});
  const std::size_t n = a.size() - prefix - suffix;
  const std::size_t m = b.size() - prefix - suffix;
  if (n != 0 && m != 0 && (n + 1) * (m + 1) <= kMaxTableCells) {
    // lcs[i][j]: LCS length of a[prefix+i..] and b[prefix+j..].
    std::vector<std::size_t> lcs((n + 1) * (m + 1), 0);
    const auto at = [m](std::size_t i, std::size_t j) { return i * (m + 1) + j; };
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        lcs[at(i, j)] = a[prefix + i] == b[prefix + j]
                            ? lcs[at(i + 1, j + 1)] + 1
                            : std::max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
      }
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        edits.push_back({Op::Keep, prefix + i++, prefix + j++});
      } else if (i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)])) {
        edits.push_back({Op::Remove, prefix + i++, prefix + j});
      } else {
        edits.push_back({Op::Add, prefix + i, prefix + j++});
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) edits.push_back({Op::Remove, prefix + i, prefix});
    for (std::size_t j = 0; j < m; ++j) edits.push_back({Op::Add, prefix + n, prefix + j});
  }
  for (std::size_t k = 0; k < suffix; ++k) {
    edits.push_back({Op::Keep, a.size() - suffix + k, b.size() - suffix + k});
  }
  return edits;
}

void append_range(std::string& out, std::size_t start, std::size_t count) {
  // diff -u: "start,count", a count of 1 is omitted, an empty range names the line before it.
  out += std::to_string(count == 0 ? start : start + 1);
  if (count != 1) out += "," + std::to_string(count);
}

void append_line(std::string& out, char op, std::string_view line) {
  out += op;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view before_label, std::string_view after_label,
                         std::size_t context) {
  if (before == after) return {};
  const std::vector<std::string_view> a = split_lines(before);
  const std::vector<std::string_view> b = split_lines(after);
  const std::vector<Edit> edits = edit_script(a, b);
  std::string out = "--- " + std::string(before_label) + "\n+++ " + std::string(after_label) + "\n";
  std::size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == Op::Keep) ++k;
    if (k == edits.size()) break;
    const std::size_t start = k >= context ? k - context : 0;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    std::size_t end = k;
    std::size_t keep_run = 0;
    for (std::size_t e = k; e < edits.size(); ++e) {
      if (edits[e].op == Op::Keep) {
        if (++keep_run > 2 * context) break;
      } else {
        keep_run = 0;
        end = e + 1;
      }
    }
    end = std::min(edits.size(), end + context);
    std::size_t a_count = 0;
    std::size_t b_count = 0;
    for (std::size_t e = start; e < end; ++e) {
      if (edits[e].op != Op::Add) ++a_count;
      if (edits[e].op != Op::Remove) ++b_count;
    }
    out += "@@ -";
    append_range(out, edits[start].a, a_count);
    out += " +";
    append_range(out, edits[start].b, b_count);
    out += " @@\n";
    for (std::size_t e = start; e < end; ++e) {
      const Edit& edit = edits[e];
      append_line(out, static_cast<char>(edit.op), edit.op == Op::Add ? b[edit.b] : a[edit.a]);
    }
    k = end;
  }
  return out;
}

}  // namespace authdiag::core
