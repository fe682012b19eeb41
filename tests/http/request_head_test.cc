#include "bot/http/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace datamcp::bot {
namespace {

TEST(RequestHeadTest, ReadsTheRequestLineAndHeadersInPlace) {
  const std::string bytes =
      "POST /webhooks/github HTTP/1.1\r\nHost: example\r\ncontent-length:  12 \r\n"
      "X-Empty:\r\nX-GitHub-Event: push\r\n\r\n{\"body\":true}";
  RequestHead head;
  ASSERT_EQ(ParseRequestHead(bytes, &head, 100), HeadParse::kParsed);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/webhooks/github");
  EXPECT_EQ(head.version, "HTTP/1.1");
  EXPECT_EQ(head.size, bytes.find("{"));
  ASSERT_EQ(head.headers.size(), 4u);
  EXPECT_EQ(head.Header("Content-Length"), "12");  // any case, trimmed
  EXPECT_EQ(head.Header("x-github-event"), "push");
  EXPECT_EQ(head.Header("X-Empty"), "");
  EXPECT_EQ(head.Header("X-Missing"), std::nullopt);
  EXPECT_EQ(head.Count("CONTENT-LENGTH"), 1u);
}

TEST(RequestHeadTest, FirstValueOfARepeatedHeaderAndItsCount) {
  RequestHead head;
  ASSERT_EQ(ParseRequestHead("GET / HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n", &head, 100),
            HeadParse::kParsed);
  EXPECT_EQ(head.Header("A"), "1");
  EXPECT_EQ(head.Count("a"), 2u);
}

TEST(RequestHeadTest, WithoutTheEmptyLineItIsIncomplete) {
  RequestHead head;
  for (const char* partial : {"", "GET", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n",
                              "GET / HTTP/1.1\r\nHost: x\r\n\r"}) {
    EXPECT_EQ(ParseRequestHead(partial, &head, 100), HeadParse::kIncomplete) << partial;
  }
}

TEST(RequestHeadTest, WhatAStrictReaderDoesNotTakeIsUnusual) {
  RequestHead head;
  for (const char* unusual : {
           "GET / HTTP/1.1\nHost: x\r\n\r\n",          // bare LF
           "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n",     // bare CR
           "GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n",  // folded
           "GET / HTTP/1.1\r\nNoColon\r\n\r\n",        // no colon
           "GET / HTTP/1.1\r\n: nameless\r\n\r\n",     // no name
           "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",    // space in the name
           "GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n",      // control byte
           "GET /  HTTP/1.1\r\n\r\n",                  // four parts
           "GET / HTTP/2\r\n\r\n",                     // version
           "GET * HTTP/1.1\r\n\r\n",                   // not a path
           "G(T / HTTP/1.1\r\n\r\n",                   // method not a token
           "GET /a\x7f HTTP/1.1\r\n\r\n",              // target byte
           "\r\nGET / HTTP/1.1\r\n\r\n",               // empty request line
       }) {
    EXPECT_EQ(ParseRequestHead(unusual, &head, 100), HeadParse::kUnusual) << unusual;
  }
}

TEST(RequestHeadTest, MoreHeadersThanAllowedIsUnusual) {
  std::string bytes = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 5; ++i) bytes += "H" + std::to_string(i) + ": v\r\n";
  bytes += "\r\n";
  RequestHead head;
  EXPECT_EQ(ParseRequestHead(bytes, &head, 5), HeadParse::kParsed);
  EXPECT_EQ(ParseRequestHead(bytes, &head, 4), HeadParse::kUnusual);
}

}  // namespace
}  // namespace datamcp::bot
