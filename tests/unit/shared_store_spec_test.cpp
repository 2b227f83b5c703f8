// SPDX-License-Identifier: Apache-2.0
#include "core/shared_store_spec.hpp"

#include <gtest/gtest.h>
#include <string>

namespace authdiag::core {
namespace {

std::optional<SharedStoreSpec> parse(std::string_view target,
                                     std::optional<std::string_view> timeout = std::nullopt) {
  std::string error;
  auto spec = parse_shared_store(target, timeout, error);
  EXPECT_EQ(spec.has_value(), error.empty()) << error;
  return spec;
}

TEST(SharedStoreSpec, ShmIsTheDefault) {
  const SharedStoreSpec unset;
  EXPECT_EQ(unset.kind, StoreKind::Shm);
  EXPECT_EQ(unset.text, "shm");
  const auto spec = parse("SHM");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->kind, StoreKind::Shm);
  EXPECT_EQ(spec->text, "shm");
}

TEST(SharedStoreSpec, ParsesRedisAndMemcacheTargets) {
  auto redis = parse("redis://127.0.0.1:6380", "250");
  ASSERT_TRUE(redis);
  EXPECT_EQ(redis->kind, StoreKind::Redis);
  EXPECT_EQ(redis->host, "127.0.0.1");
  EXPECT_EQ(redis->port, 6380);
  EXPECT_EQ(redis->timeout.count(), 250);
  EXPECT_EQ(redis->text, "redis://127.0.0.1:6380");

  auto memcache = parse("memcache://cache.internal");
  ASSERT_TRUE(memcache);
  EXPECT_EQ(memcache->kind, StoreKind::Memcache);
  EXPECT_EQ(memcache->host, "cache.internal");
  EXPECT_EQ(memcache->port, 11211);
  EXPECT_EQ(memcache->timeout.count(), SharedStoreSpec::kDefaultTimeoutMs);
  EXPECT_EQ(memcache->text, "memcache://cache.internal:11211");

  auto v6 = parse("Redis://[::1]:7000/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(v6->text, "redis://[::1]:7000");
  EXPECT_EQ(parse("redis://[2001:db8::5]")->port, 6379);
}

TEST(SharedStoreSpec, RefusesBadTargetsSayingWhy) {
  for (const char* bad :
       {"", "file", "redis://", "redis://:6379", "redis://host:", "redis://host:0",
        "redis://host:65536", "redis://host:12ab", "redis://::1:6379", "redis://[::1",
        "redis://[::1]x", "redis://[example.com]:1", "memcached://host:1", "http://host:1",
        "redis://ho st:1", "redis://-host:1"}) {
    std::string error;
    EXPECT_FALSE(parse_shared_store(bad, std::nullopt, error)) << bad;
    EXPECT_NE(error.find("AuthDiagSharedStore"), std::string::npos) << error;
  }
  for (const char* bad_timeout : {"0", "-5", "60001", "1.5", "fast", ""}) {
    std::string error;
    EXPECT_FALSE(parse_shared_store("redis://127.0.0.1:6379", bad_timeout, error)) << bad_timeout;
    EXPECT_NE(error.find("timeout"), std::string::npos) << error;
  }
  std::string error;
  EXPECT_FALSE(parse_shared_store("shm", "100", error));
}

}  // namespace
}  // namespace authdiag::core
