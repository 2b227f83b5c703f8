// SPDX-License-Identifier: Apache-2.0
// Argument parsing, the JSON writer and the Output object.
#include "cli/args.hpp"
#include "cli/command_table.hpp"
#include "cli/output.hpp"
#include "core/json_reader.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace authdiag::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"realm", "R", false, ""}, {"dry-run", "", false, ""}, {"path", "P", true, ""}};

ParseResult parse(std::vector<std::string> words) { return parse_args("test", words, kOptions); }

TEST(Args, LongOptionsValuesAndPositionals) {
  const ParseResult r = parse(
      {"dir", "--realm", "a b", "--dry-run", "--path=/x", "--path", "/y", "--", "--not-an-option"});
  ASSERT_TRUE(r.args) << r.error;
  EXPECT_EQ(r.args->positionals(), (std::vector<std::string>{"dir", "--not-an-option"}));
  EXPECT_EQ(r.args->value("realm"), "a b");
  EXPECT_TRUE(r.args->dry_run());
  EXPECT_FALSE(r.args->json());
  EXPECT_EQ(r.args->values("path"), (std::vector<std::string>{"/x", "/y"}));
  EXPECT_EQ(r.args->value("path"), "/y");
  EXPECT_FALSE(r.args->value("missing"));
  EXPECT_EQ(parse({"--realm="}).args->value("realm"), "");
}

TEST(Args, Errors) {
  EXPECT_FALSE(parse({"--unknown"}).args);
  EXPECT_FALSE(parse({"-x"}).args);
  EXPECT_FALSE(parse({"--realm"}).args);
  EXPECT_FALSE(parse({"--dry-run=1"}).args);
  EXPECT_FALSE(parse({"--realm", "a", "--realm", "b"}).args);
  EXPECT_NE(parse({"--unknown"}).error.find("--unknown"), std::string::npos);
  EXPECT_TRUE(parse({"-"}).args);  // a lone dash is a positional (stdin by convention)
}

TEST(Json, EscapesAndStaysValid) {
  JsonValue object = JsonValue::object();
  object.set("text", "quote \" backslash \\ newline \n tab \t ctl \x01 del \x7f");
  object.set("utf8", "Zoë €");
  object.set("bad", std::string("\xff\xc3"));
  object.set("n", 42);
  object.set("u", std::uint64_t{18446744073709551615ULL});
  object.set("f", 1.5);
  object.set("null", nullptr);
  JsonValue array = JsonValue::array();
  array.push(true);
  array.push(JsonValue::object());
  object.set("array", array);
  object.set("n", -7);  // replaces in place
  const std::string text = object.dump();
  EXPECT_EQ(text,
            "{\"text\":\"quote \\\" backslash \\\\ newline \\n tab \\t ctl \\u0001 del \\u007f\","
            "\"utf8\":\"Zoë €\",\"bad\":\"\\u00ff\\u00c3\",\"n\":-7,"
            "\"u\":18446744073709551615,\"f\":1.5,\"null\":null,\"array\":[true,{}]}");
  EXPECT_TRUE(core::parse_json(text).ok());
}

TEST(Output, JsonObjectOnStdoutHumanTextOnStderr) {
  std::ostringstream out;
  std::ostringstream err;
  Output output(true, out, err);
  output.set_action("protect");
  output.set_changed(true);
  output.root().set("dir", "/srv/x");
  output.add_finding({"PW-EMPTY", "warning", "/f", 0, "no users", "add one"});
  output.print("not in json mode");
  output.note("a human line");
  EXPECT_EQ(output.finish(output.error(ExitCode::LockTimeout, "timed out")), 11);
  const core::JsonParseResult parsed = core::parse_json(out.str());
  ASSERT_TRUE(parsed.ok()) << out.str();
  const core::JsonValue& json = *parsed.value;
  EXPECT_EQ(json.keys(), (std::vector<std::string>{"ok", "changed", "action", "exit_code", "dir",
                                                   "findings", "errors"}));
  EXPECT_EQ(json.find("ok")->as_bool(), false);
  EXPECT_EQ(json.find("exit_code")->as_int64(), 11);
  EXPECT_EQ(*json.find("errors")->items()[0].find("name")->as_string(), "lock_timeout");
  EXPECT_EQ(json.find("findings")->items()[0].find("line")->is_null(), true);
  EXPECT_EQ(out.str().find("not in json mode"), std::string::npos);
  EXPECT_NE(err.str().find("a human line"), std::string::npos);
  EXPECT_NE(err.str().find("authdiag: timed out"), std::string::npos);
  EXPECT_NE(err.str().find("[PW-EMPTY]"), std::string::npos);
}

TEST(Output, HumanModePrintsOnlyRequestedStdout) {
  std::ostringstream out;
  std::ostringstream err;
  Output output(false, out, err);
  output.print("password\n");
  EXPECT_EQ(output.finish(0), 0);
  EXPECT_EQ(out.str(), "password\n");
}

TEST(ExitCodes, MatchTheSpec) {
  EXPECT_EQ(to_int(ExitCode::Success), 0);
  EXPECT_EQ(to_int(ExitCode::FileAccess), 1);
  EXPECT_EQ(to_int(ExitCode::Usage), 2);
  EXPECT_EQ(to_int(ExitCode::VerificationFailed), 3);
  EXPECT_EQ(to_int(ExitCode::InvalidUsername), 6);
  EXPECT_EQ(to_int(ExitCode::MalformedFile), 7);
  EXPECT_EQ(to_int(ExitCode::ForeignAuth), 10);
  EXPECT_EQ(to_int(ExitCode::LockTimeout), 11);
  EXPECT_EQ(to_int(ExitCode::ConcurrentModification), 12);
  EXPECT_EQ(to_int(ExitCode::UnsafePath), 14);
  EXPECT_EQ(to_int(ExitCode::HtaccessIgnored), 15);
  EXPECT_EQ(to_int(ExitCode::ProblemsFound), 20);
}

TEST(CommandTable, EveryCommandOfTheSpec) {
  for (const char* name : {"protect", "unprotect", "user", "lint", "check", "report"}) {
    const Command* command = find_command(name);
    ASSERT_NE(command, nullptr) << name;
    EXPECT_NE(command->run, nullptr);
    EXPECT_NE(render_command_help(*command).find("authdiag " + std::string(name)),
              std::string::npos);
  }
  EXPECT_EQ(find_command("nope"), nullptr);
}

}  // namespace
}  // namespace authdiag::cli
