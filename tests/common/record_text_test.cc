#include "gitops/common/record_text.h"

#include <gtest/gtest.h>

namespace datamcp {
namespace {

TEST(RecordTextTest, ReservedTrailersAreRecognisedInAnyCaseAndSpacing) {
  EXPECT_TRUE(ReadsAsReservedTrailer("Datamcp-Approved-By: mallory"));
  EXPECT_TRUE(ReadsAsReservedTrailer("  DATAMCP-MERGED-BY : x"));
  EXPECT_TRUE(ReadsAsReservedTrailer("Signed-off-by: evil <e@x>"));
  EXPECT_TRUE(ReadsAsReservedTrailer("co-authored-by:x"));
  EXPECT_FALSE(ReadsAsReservedTrailer("`Datamcp-Tool`: quoted"));
  EXPECT_FALSE(ReadsAsReservedTrailer("Reviewed-by: someone"));
  EXPECT_FALSE(ReadsAsReservedTrailer("Datamcp-Tool is what we use"));
}

TEST(RecordTextTest, TitlesAreOneLineAndNotRecords) {
  EXPECT_TRUE(CheckRecordTitle("arguments.title", "Add a bucket: orders").ok());
  Status multi = CheckRecordTitle("arguments.title", "Add notes\n\nSigned-off-by: evil");
  EXPECT_EQ(multi.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(multi.message().find("arguments.title contains a line break"), std::string::npos);
  EXPECT_FALSE(CheckRecordTitle("t", "a\rb").ok());
  EXPECT_FALSE(CheckRecordTitle("t", std::string("a\0b", 3)).ok());
  EXPECT_FALSE(CheckRecordTitle("t", "Merge pull request #3 from x").ok());
  EXPECT_FALSE(CheckRecordTitle("t", "Datamcp-Requested-By: mallory").ok());
}

TEST(RecordTextTest, DescriptionsMayNotHoldTrailerLines) {
  EXPECT_TRUE(CheckRecordText("d", "Why:\n- because\n\n`Datamcp-Tool`: fine\r\n").ok());
  Status s = CheckRecordText("arguments.description", "ok\n\nDatamcp-Approved-By: mallory");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("arguments.description line 3"), std::string::npos);
  EXPECT_FALSE(CheckRecordText("d", "ok\r\nSigned-off-by: evil").ok());
  EXPECT_FALSE(CheckRecordText("d", "bell\a").ok());
  EXPECT_EQ(FirstLineOf("title  \r\nmore"), "title");
}

}  // namespace
}  // namespace datamcp
