// SPDX-License-Identifier: Apache-2.0
// core/unified_diff output, checked against the format `diff -u` prints.
#include "core/unified_diff.hpp"

#include <gtest/gtest.h>

namespace authdiag::core {
namespace {

TEST(UnifiedDiff, EqualTextsGiveNothing) { EXPECT_EQ(unified_diff("a\n", "a\n", "x", "x"), ""); }

TEST(UnifiedDiff, InsertionAtTop) {
  EXPECT_EQ(unified_diff("a\nb\n", "new\na\nb\n", "f", "f"),
            "--- f\n+++ f\n@@ -1,2 +1,3 @@\n+new\n a\n b\n");
}

TEST(UnifiedDiff, ChangeInTheMiddleWithContext) {
  EXPECT_EQ(unified_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", "a", "b"),
            "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, SeparateHunksAndNoNewlineMarker) {
  const std::string before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk";
  const std::string after = "A\nb\nc\nd\ne\nf\ng\nh\ni\nj\nK";
  EXPECT_EQ(unified_diff(before, after, "x", "x"),
            "--- x\n+++ x\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n"
            "@@ -8,4 +8,4 @@\n h\n i\n j\n-k\n\\ No newline at end of file\n+K\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedDiff, DeletingEverything) {
  EXPECT_EQ(unified_diff("a\nb\n", "", "x", "x"), "--- x\n+++ x\n@@ -1,2 +0,0 @@\n-a\n-b\n");
}

}  // namespace
}  // namespace authdiag::core
