// SPDX-License-Identifier: Apache-2.0
#include "core/html.hpp"

#include <gtest/gtest.h>

namespace authdiag::core {
namespace {

TEST(HtmlEscape, MarkupBecomesEntities) {
  EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlEscape, NonAsciiBecomesNumericReferences) {
  EXPECT_EQ(html_escape("j\xc3\xbcrgen \xf0\x9f\x94\x91"), "j&#xFC;rgen &#x1F511;");
}

TEST(HtmlEscape, ControlsAndBidiOverridesAreShownNotObeyed) {
  EXPECT_EQ(html_escape("a\tb\x7f"), "a\\x09b\\x7F");
  EXPECT_EQ(html_escape("\xc2\x9b"), "\\u009B");
  EXPECT_EQ(html_escape("x\xe2\x80\xae"
                        "exe.txt"),
            "x\\u202Eexe.txt");
  EXPECT_EQ(html_escape("\xe2\x81\xa6"), "\\u2066");
}

TEST(HtmlEscape, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(html_escape("\xff\xc0\xaf"), "&#xFFFD;&#xFFFD;&#xFFFD;");
  EXPECT_EQ(html_escape("\xed\xa0\x80"), "&#xFFFD;&#xFFFD;&#xFFFD;");  // a surrogate
}

TEST(HtmlEscape, KeepsAtMostMaxCharsThenAnEllipsis) {
  EXPECT_EQ(html_escape("abcdef", 3), "abc&#x2026;");
  EXPECT_EQ(html_escape("ab<def", 3), "ab&lt;&#x2026;");
  EXPECT_EQ(html_escape("\xc3\xbc\xc3\xbc\xc3\xbc", 2), "&#xFC;&#xFC;&#x2026;");
  EXPECT_EQ(html_escape("abc", 3), "abc");
  EXPECT_EQ(html_escape("abc", 0), "&#x2026;");
}

}  // namespace
}  // namespace authdiag::core
