// SPDX-License-Identifier: Apache-2.0
// .htaccess files as httpd reads them, kept byte-exact: a tokenizer (lines, directives with
// 1-based line numbers, sections, comments, CRLF and a missing final newline preserved), the
// authdiag managed protection block (versioned markers with a SHA-256 of the body), and
// detection of auth lines written by hosting panels or by hand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authdiag::core {

// ---------------------------------------------------------------------------------------------
// Tokenizer

struct HtaccessLine {
  std::size_t number = 0;  // 1-based
  std::size_t offset = 0;  // byte offset of the first byte of the line in the file
  std::string text;        // without the line ending
  std::string ending;      // "\n", "\r\n", or "" for a last line without a newline
};

enum class DirectiveKind : std::uint8_t {
  Directive,     // AuthType Basic
  SectionOpen,   // <IfModule mod_auth_basic.c>
  SectionClose,  // </IfModule>
};

struct HtaccessDirective {
  DirectiveKind kind = DirectiveKind::Directive;
  std::size_t first_line = 0;     // 1-based
  std::size_t last_line = 0;      // differs from first_line after backslash continuations
  std::string name;               // as written; for sections without '<', '</' and '>'
  std::string raw_args;           // everything after the name, trimmed (for sections without '>')
  std::vector<std::string> args;  // raw_args split and unquoted the way ap_getword_conf does
  // Enclosing sections, outermost first, as "IfModule", "Files", ... (names as written).
  std::vector<std::string> sections;
};

enum class HtaccessIssueKind : std::uint8_t {
  UnclosedSection,      // <X> without </X> at end of file
  UnexpectedClose,      // </X> with no open section
  MismatchedClose,      // </Y> closing <X>
  SectionWithoutClose,  // "<Files x" without '>'
  Nul,                  // a NUL byte (httpd stops reading the line there)
};

struct HtaccessIssue {
  HtaccessIssueKind kind;
  std::size_t line = 0;  // 1-based
  std::string detail;
};

struct HtaccessDocument {
  std::vector<HtaccessLine> lines;  // concatenating text+ending of all lines gives the file back
  std::vector<HtaccessDirective> directives;  // comments and blank lines are not directives
  std::vector<HtaccessIssue> issues;
  bool has_bom = false;  // starts with EF BB BF (httpd then fails with "Invalid command")
};

// Never fails: any byte string yields a document whose lines reproduce it exactly.
HtaccessDocument parse_htaccess(std::string_view bytes);

// The bytes of the document again (text + ending of every line).
std::string serialize_htaccess(const HtaccessDocument& document);

// "\r\n" when the first terminated line ends in CRLF, otherwise "\n".
std::string_view dominant_line_ending(const HtaccessDocument& document);

// ---------------------------------------------------------------------------------------------
// Quoting for httpd's config parser

enum class QuoteError : std::uint8_t {
  Empty,
  ControlCharacter,  // < 0x20 or 0x7f (cannot be written on one config line / in a header)
  Backslash,         // realms only: httpd does not escape it in the challenge
  NotAbsolute,       // paths only
  InvalidUtf8,       // realms only: sent in a header with charset="UTF-8"
};

std::string_view quote_error_message(QuoteError error) noexcept;

// A realm for `AuthName "<...>"`: AuthName is an ap_expr string, so besides the config parser's
// quoting ('"' → \") the expression escapes apply ('%' → \%, so "%{VAR}" stays literal). The
// result, after httpd unquotes it, is exactly `realm`. Rejects backslashes (a trailing one
// aborts the httpd child in 2.4.71; others are mangled in the challenge) and control characters.
struct QuotedResult {
  std::string quoted;  // with the surrounding quotes
  std::optional<QuoteError> error;
};
QuotedResult quote_realm(std::string_view realm);

// An absolute path for `AuthUserFile "<...>"` ('"' and '\' escaped).
QuotedResult quote_path(std::string_view path);

// ---------------------------------------------------------------------------------------------
// The managed block
//
//   # BEGIN authdiag protection v1 sha256=<hex of body> -- managed by authdiag, do not edit
//   AuthType Basic
//   AuthName "Restricted"
//   AuthUserFile "/etc/apache2/authdiag/users/….htpasswd"
//   Require valid-user
//   # END authdiag protection
//
// The checksum covers the body lines, each followed by "\n" (independent of the file's line
// endings). The block is inserted at the top of the file, so removing it restores the original
// bytes whatever their line endings or final newline. When protect created the file, the BEGIN
// marker carries the word "created" and unprotect removes a file that has nothing else left.

inline constexpr int kManagedBlockVersion = 1;

struct ProtectionSettings {
  std::string realm;      // AuthName value (unquoted)
  std::string user_file;  // absolute AuthUserFile path (unquoted)
  // "valid-user", or "user" / "group" with names.
  std::string require_kind = "valid-user";
  std::vector<std::string> require_names;
};

// The body lines (without line endings) for `settings`; settings must have passed validation.
std::vector<std::string> render_block_body(const ProtectionSettings& settings);

// Validates a name for `Require user|group`: the username rules plus no '"', '\'', '\\' or
// '%' (Require arguments are ap_expr strings split by ap_getword_conf).
bool is_safe_require_name(std::string_view name) noexcept;

struct ManagedBlock {
  std::size_t begin_line = 0;  // 1-based line of the BEGIN marker
  std::size_t end_line = 0;    // 1-based line of the END marker
  int version = 0;
  bool created_file = false;
  std::string recorded_sha256;    // from the marker
  std::string actual_sha256;      // of the body as found
  std::vector<std::string> body;  // body lines without endings
  bool intact() const noexcept { return recorded_sha256 == actual_sha256; }
  // Settings read back from the body (only when the body parses as a block we write).
  std::optional<ProtectionSettings> settings;
};

enum class BlockScanError : std::uint8_t {
  Unterminated,   // BEGIN without END
  UnexpectedEnd,  // END without BEGIN
  Nested,         // a second BEGIN before END
  Multiple,       // two complete blocks
  BadMarker,      // BEGIN line without a parsable version/checksum, or unknown version
};

struct BlockScan {
  std::optional<ManagedBlock> block;
  std::optional<BlockScanError> error;
  std::size_t error_line = 0;
};

BlockScan find_managed_block(const HtaccessDocument& document);

// The file with the block set to `settings`: an existing block is replaced in place, otherwise
// the block is inserted before the first line. `file_existed` false marks the block "created".
// Bytes outside the block are untouched; the block uses the file's dominant line ending.
std::string apply_managed_block(const HtaccessDocument& document, const BlockScan& scan,
                                const ProtectionSettings& settings, bool file_existed);

// The file without the block (the document itself when there is none).
std::string remove_managed_block(const HtaccessDocument& document, const BlockScan& scan);

// ---------------------------------------------------------------------------------------------
// Auth lines that are not ours

enum class Panel : std::uint8_t {
  None,        // nothing foreign
  Manual,      // bare Auth*/Require/Satisfy lines (hand-written, Webmin/Virtualmin style)
  Cpanel,      // "...-cp:ppd" banner
  Ispconfig,   // "### ISPConfig folder protection begin/end ###"
  Cyberpanel,  // "### PASSWORD PROTECTION CONF STARTS/ENDS <path>"
  Aapanel,     // "#AUTH_START" / "#AUTH_END"
};

std::string_view panel_name(Panel panel) noexcept;  // "none", "manual", "cpanel", ...
// Accepts the names above and "webmin"/"virtualmin"/"hand-written" for Manual.
std::optional<Panel> panel_from_name(std::string_view name) noexcept;

struct ForeignRegion {
  Panel panel = Panel::Manual;
  std::size_t first_line = 0;  // 1-based, inclusive (markers included for panel blocks)
  std::size_t last_line = 0;
  // A region inside a scoping section (<Files>, <If>, <Limit>, ...): removing it would change
  // what that section means, so --adopt does not take it over.
  bool scoped = false;
  std::string summary;  // e.g. "AuthType Basic" or "cPanel Password Protected Directories block"
};

struct ForeignAuth {
  std::vector<ForeignRegion> regions;  // in file order, outside the managed block
  Panel panel = Panel::None;           // the first marker-identified panel, else Manual/None
  // Settings found in the foreign lines (last value wins as in httpd): used by --adopt.
  std::optional<std::string> realm;
  std::optional<std::string> user_file;
};

// Auth directives outside our block: any Auth* directive, Satisfy, <Require*> sections, and
// Require lines that are not scoped access rules (Require all/ip/host/env/method/expr inside
// <Files>, <If>, <Limit> ... are the site's own rules and are not reported); plus panel marker
// blocks, even when they hold nothing but markers.
ForeignAuth find_foreign_auth(const HtaccessDocument& document, const BlockScan& scan);

// The file without the unscoped foreign regions (marker lines included). Regions with
// scoped == true are kept.
std::string remove_foreign_regions(const HtaccessDocument& document, const ForeignAuth& foreign);

}  // namespace authdiag::core
