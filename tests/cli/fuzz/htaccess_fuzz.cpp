// SPDX-License-Identifier: Apache-2.0
// Fuzzes the .htaccess code: parsing reproduces the input byte for byte; a managed block set on
// any file is found intact with the same settings and removing it restores the input; setting
// it twice is idempotent; foreign-auth regions stay inside the file.
#include "core/htaccess.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace authdiag::core;

using authdiag::fuzz::check;

void check_document(std::string_view bytes, const HtaccessDocument& document) {
  check(serialize_htaccess(document) == bytes, "serialize(parse(x)) == x");
  std::size_t offset = 0;
  for (std::size_t i = 0; i < document.lines.size(); ++i) {
    const HtaccessLine& line = document.lines[i];
    check(line.number == i + 1, "line numbers are consecutive");
    check(line.offset == offset, "line offsets are exact");
    check(line.text.find('\n') == std::string::npos, "no newline inside a line");
    check(line.ending.empty() || line.ending == "\n" || line.ending == "\r\n", "line endings");
    check(!line.ending.empty() || i + 1 == document.lines.size(), "only the last line lacks one");
    offset += line.text.size() + line.ending.size();
  }
  for (const HtaccessDirective& directive : document.directives) {
    check(directive.first_line >= 1 && directive.first_line <= directive.last_line &&
              directive.last_line <= document.lines.size(),
          "directive lines inside the file");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first line of the input (up to '\n') is the realm, the rest the file.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\n');
  const std::string_view realm = split == std::string_view::npos ? input : input.substr(0, split);
  const std::string_view bytes =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 1);

  const HtaccessDocument document = parse_htaccess(bytes);
  check_document(bytes, document);
  const BlockScan scan = find_managed_block(document);

  const ForeignAuth foreign = find_foreign_auth(document, scan);
  for (const ForeignRegion& region : foreign.regions) {
    check(region.first_line >= 1 && region.first_line <= region.last_line &&
              region.last_line <= document.lines.size(),
          "foreign regions inside the file");
  }
  check_document(remove_foreign_regions(document, foreign),
                 parse_htaccess(remove_foreign_regions(document, foreign)));

  ProtectionSettings settings;
  settings.realm = quote_realm(realm).error ? std::string("Restricted") : std::string(realm);
  settings.user_file = "/etc/apache2/authdiag/users/fuzz.htpasswd";
  if (scan.error) return 0;

  const std::string protected_bytes = apply_managed_block(document, scan, settings, true);
  const HtaccessDocument protected_document = parse_htaccess(protected_bytes);
  check_document(protected_bytes, protected_document);
  const BlockScan protected_scan = find_managed_block(protected_document);
  check(!protected_scan.error && protected_scan.block.has_value(), "the block is found");
  check(protected_scan.block->intact(), "the block checksum matches");
  check(protected_scan.block->settings.has_value() &&
            protected_scan.block->settings->realm == settings.realm &&
            protected_scan.block->settings->user_file == settings.user_file,
        "the block's settings read back");
  check(apply_managed_block(protected_document, protected_scan, settings, true) == protected_bytes,
        "setting the same block again changes nothing");
  if (!scan.block) {
    check(remove_managed_block(protected_document, protected_scan) == bytes,
          "unprotect restores the original bytes");
  }
  return 0;
}
