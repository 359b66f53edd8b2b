// Tests for Status, Result<T>, Error and the QK_ macros.

#include "quokka/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace quokka {
namespace {

const std::vector<StatusCode> kFailureCodes = {StatusCode::kInvalid,      StatusCode::kIOError,
                                               StatusCode::kNotFound,     StatusCode::kTypeError,
                                               StatusCode::kOutOfMemory,  StatusCode::kCancelled,
                                               StatusCode::kNetworkError, StatusCode::kInternal};

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::OK(), status);
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  EXPECT_EQ(Status::Invalid("a").code(), StatusCode::kInvalid);
  EXPECT_EQ(Status::IOError("a").code(), StatusCode::kIOError);
  EXPECT_EQ(Status::NotFound("a").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::TypeError("a").code(), StatusCode::kTypeError);
  EXPECT_EQ(Status::OutOfMemory("a").code(), StatusCode::kOutOfMemory);
  EXPECT_EQ(Status::Cancelled("a").code(), StatusCode::kCancelled);
  EXPECT_EQ(Status::NetworkError("a").code(), StatusCode::kNetworkError);
  EXPECT_EQ(Status::Internal("a").code(), StatusCode::kInternal);
  Status status = Status::NotFound("no such file: x.csv");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message(), "no such file: x.csv");
}

TEST(StatusTest, CodeNamesAreDistinctAndUsedByToString) {
  EXPECT_STREQ(StatusCodeName(StatusCode::kInvalid), "Invalid");
  EXPECT_STREQ(StatusCodeName(StatusCode::kIOError), "IOError");
  std::set<std::string> names;
  for (StatusCode code : kFailureCodes) {
    std::string name = StatusCodeName(code);
    EXPECT_FALSE(name.empty());
    names.insert(name);
    Status status(code, "details here");
    EXPECT_EQ(status.ToString(), name + ": details here");
  }
  EXPECT_EQ(names.size(), kFailureCodes.size());
  EXPECT_EQ(Status::Invalid("bad graph").ToString(), "Invalid: bad graph");
}

TEST(StatusTest, CodesHaveStableNumbers) {
  EXPECT_EQ(static_cast<int>(StatusCode::kOk), 0);
  EXPECT_EQ(static_cast<int>(StatusCode::kInvalid), 1);
  EXPECT_EQ(static_cast<int>(StatusCode::kTypeError), 4);
  EXPECT_EQ(static_cast<int>(StatusCode::kInternal), 8);
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status status = Status::IOError("disk full").WithContext("writing part 3");
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_EQ(status.message(), "writing part 3: disk full");
  Status twice = status.WithContext("node sink");
  EXPECT_EQ(twice.message(), "node sink: writing part 3: disk full");
  // The original is unchanged.
  EXPECT_EQ(Status::IOError("disk full").WithContext("x").code(), StatusCode::kIOError);
}

TEST(StatusTest, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(Status::Invalid("x"), Status::Invalid("x"));
  EXPECT_FALSE(Status::Invalid("x") == Status::Invalid("y"));
  EXPECT_FALSE(Status::Invalid("x") == Status::Internal("x"));
  EXPECT_FALSE(Status::Invalid("x") == Status::OK());
  Status copy = Status::Cancelled("stop");
  Status other = copy;
  EXPECT_EQ(copy, other);
  EXPECT_EQ(other.message(), "stop");
}

TEST(ErrorTest, CarriesStatusAndMessage) {
  Error error(Status::TypeError("expected int64"));
  EXPECT_EQ(error.status().code(), StatusCode::kTypeError);
  EXPECT_EQ(error.status().message(), "expected int64");
  QK_EXPECT_CONTAINS(error.what(), "expected int64");
  const std::runtime_error& base = error;
  QK_EXPECT_CONTAINS(base.what(), "expected int64");
}

TEST(ErrorTest, ThrowIfError) {
  EXPECT_NO_THROW(ThrowIfError(Status::OK()));
  try {
    ThrowIfError(Status::NotFound("missing key"));
    FAIL() << "ThrowIfError did not throw";
  } catch (const Error& error) {
    EXPECT_EQ(error.status(), Status::NotFound("missing key"));
  }
}

TEST(ResultTest, HoldsValue) {
  Result<int> result(42);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.status().ok());
  EXPECT_EQ(*result, 42);
  Result<std::string> text(std::string("hello"));
  EXPECT_EQ(text->size(), 5u);
  EXPECT_EQ(std::move(text).ValueOrThrow(), "hello");
}

TEST(ResultTest, HoldsError) {
  Result<int> result(Status::IOError("cannot open"));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status(), Status::IOError("cannot open"));
  try {
    (void)std::move(result).ValueOrThrow();
    FAIL() << "ValueOrThrow did not throw";
  } catch (const Error& error) {
    EXPECT_EQ(error.status().code(), StatusCode::kIOError);
    EXPECT_EQ(error.status().message(), "cannot open");
  }
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> result(Status::OK());
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> result(std::make_unique<int>(7));
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> value = std::move(result).ValueOrThrow();
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, 7);
}

Status FailIfNegative(int x) {
  if (x < 0) return Status::Invalid(std::string("negative: ").append(std::to_string(x)));
  return Status::OK();
}

Result<int> Doubled(int x) {
  QK_RETURN_NOT_OK(FailIfNegative(x));
  return 2 * x;
}

Result<int> DoubledTwice(int x) {
  QK_ASSIGN_OR_RAISE(int once, Doubled(x));
  QK_ASSIGN_OR_RAISE(int twice, Doubled(once));
  return twice;
}

TEST(StatusMacrosTest, ReturnNotOkAndAssignOrRaise) {
  Result<int> good = DoubledTwice(5);
  QK_ASSERT_OK(good);
  EXPECT_EQ(*good, 20);
  Result<int> bad = DoubledTwice(-3);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status(), Status::Invalid("negative: -3"));
  QK_EXPECT_OK(FailIfNegative(1));
}

}  // namespace
}  // namespace quokka
