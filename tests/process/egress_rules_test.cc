#include "gitops/process/egress_rules.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace datamcp::process {
namespace {

std::vector<EgressRule> Rules(const std::vector<std::string>& entries) {
  auto rules = ParseEgressRules(entries);
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  return rules.ok() ? *rules : std::vector<EgressRule>{};
}

TEST(EgressRulesTest, ExactHostsWildcardsAndPorts) {
  auto rules = Rules({"registry.terraform.io", "*.googleapis.com", "Mirror.Example.com:8443"});
  EXPECT_TRUE(EgressAllowed(rules, "registry.terraform.io", 443));
  EXPECT_TRUE(EgressAllowed(rules, "REGISTRY.terraform.io.", 443)) << "case and root dot";
  EXPECT_FALSE(EgressAllowed(rules, "registry.terraform.io", 80)) << "443 unless a port is named";
  EXPECT_FALSE(EgressAllowed(rules, "evil-registry.terraform.io", 443));
  EXPECT_FALSE(EgressAllowed(rules, "registry.terraform.io.evil.com", 443));
  EXPECT_TRUE(EgressAllowed(rules, "storage.googleapis.com", 443));
  EXPECT_TRUE(EgressAllowed(rules, "a.b.googleapis.com", 443));
  EXPECT_FALSE(EgressAllowed(rules, "googleapis.com", 443)) << "*. is subdomains only";
  EXPECT_FALSE(EgressAllowed(rules, "evilgoogleapis.com", 443));
  EXPECT_TRUE(EgressAllowed(rules, "mirror.example.com", 8443));
  EXPECT_FALSE(EgressAllowed(rules, "mirror.example.com", 443));
  EXPECT_FALSE(EgressAllowed({}, "registry.terraform.io", 443)) << "no rules, no host";
}

TEST(EgressRulesTest, BadEntriesAreNamedWithTheAcceptedForms) {
  for (std::string bad : {"", "*", "*.", "a.*.com", "http://registry.terraform.io", "host:0",
                          "host:70000", "host:", "bad host", "a..b", "[::1", "*example.com"}) {
    auto rules = ParseEgressRules({bad});
    ASSERT_FALSE(rules.ok()) << "'" << bad << "' was accepted";
    EXPECT_NE(rules.status().message().find("'" + bad + "'"), std::string::npos);
    EXPECT_NE(rules.status().message().find("default 443"), std::string::npos);
  }
  EXPECT_TRUE(ParseEgressRules({"10.0.0.8:5000", "[2001:db8::1]:443"}).ok());
  // Found by the egress fuzzer: inet_pton stops at a NUL, so "[::\0...]" looked like "::".
  EXPECT_FALSE(ParseEgressRules({std::string("[::\0....]", 10)}).ok());
}

TEST(EgressRulesTest, ParsesConnectHeads) {
  auto t = ParseConnectHead("CONNECT Registry.Terraform.io:443 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->host, "registry.terraform.io");
  EXPECT_EQ(t->port, 443);
  auto v6 = ParseConnectHead("CONNECT [2001:db8::1]:8443 HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->port, 8443);
  auto get = ParseConnectHead("GET http://169.254.169.254/ HTTP/1.1\r\n\r\n");
  ASSERT_FALSE(get.ok());
  EXPECT_NE(get.status().message().find("only CONNECT"), std::string::npos);
  for (const char* bad : {"CONNECT host HTTP/1.1\r\n\r\n", "CONNECT host:443\r\n\r\n",
                          "CONNECT host:443 HTTP/2\r\n\r\n", "CONNECT a b:443 HTTP/1.1\r\n\r\n",
                          "CONNECT host:443 HTTP/1.1", "CONNECT :443 HTTP/1.1\r\n\r\n"}) {
    EXPECT_FALSE(ParseConnectHead(bad).ok()) << bad;
  }
}

bool Forbidden(int family, const char* text) {
  sockaddr_storage s{};
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&s);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, text, &a->sin_addr);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&s);
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &a->sin6_addr);
  }
  return EgressAddressForbidden(reinterpret_cast<sockaddr*>(&s));
}

TEST(EgressRulesTest, LoopbackAndMetadataAddressesAreAlwaysForbidden) {
  for (const char* a : {"127.0.0.1", "127.8.9.1", "169.254.169.254", "0.0.0.0", "224.0.0.1"}) {
    EXPECT_TRUE(Forbidden(AF_INET, a)) << a;
  }
  for (const char* a : {"::1", "fe80::1", "::", "ff02::1", "::ffff:127.0.0.1",
                        "::ffff:169.254.169.254", "fd00:ec2::254"}) {
    EXPECT_TRUE(Forbidden(AF_INET6, a)) << a;
  }
  EXPECT_FALSE(Forbidden(AF_INET, "142.250.74.10"));
  EXPECT_FALSE(Forbidden(AF_INET, "10.1.2.3")) << "private registries are the operator's call";
  EXPECT_FALSE(Forbidden(AF_INET6, "2607:f8b0::1"));
}

}  // namespace
}  // namespace datamcp::process
