// Malformed queries get a parse error with the position; queries outside the subset get an
// "unsupported" error naming the part.
#include "sim/promql/ast.hpp"
#include "tests/unit/promql/store_builder.hpp"

namespace faultline::sim {
namespace {

using promql::QueryError;

struct Expected {
  QueryError::Kind kind;
  size_t position;
  std::string fragment;  // must appear in the message
};

Expected error_of(const std::string& q) {
  try {
    promql::Query::parse(q);
  } catch (const QueryError& e) {
    return {e.kind(), e.position(), e.message()};
  }
  ADD_FAILURE() << "no error for " << q;
  return {QueryError::Kind::evaluation, 0, ""};
}

void expect_error(const std::string& q, QueryError::Kind kind, size_t pos, const std::string& fragment) {
  const Expected e = error_of(q);
  EXPECT_EQ(e.kind, kind) << q << ": " << e.fragment;
  EXPECT_EQ(e.position, pos) << q << ": " << e.fragment;
  EXPECT_NE(e.fragment.find(fragment), std::string::npos) << q << ": got \"" << e.fragment << "\"";
}

constexpr auto kParse = QueryError::Kind::parse;
constexpr auto kUnsupported = QueryError::Kind::unsupported;

TEST(PromqlErrors, UnsupportedPartsAreNamed) {
  expect_error("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", kUnsupported, 0, "unsupported function `label_replace`");
  // "rate(up[" : the '[' is at offset 7.
  expect_error("rate(up[5m:1m])", kUnsupported, 7, "subqueries are not supported");
  expect_error("max_over_time(sum(up)[5m:])", kUnsupported, 21, "subqueries are not supported");
  expect_error("up @ 1609746000", kUnsupported, 3, "the @ modifier is not supported");
  expect_error("topk(3, up)", kUnsupported, 0, "unsupported aggregation `topk`");
  expect_error("sum(rate(x[1m])) + quantile(0.9, up)", kUnsupported, 19, "unsupported aggregation `quantile`");
  expect_error("predict_linear(up[1h], 3600)", kUnsupported, 0, "unsupported function `predict_linear`");
  expect_error("up{job=~\"(?P<x>a)\"}", kUnsupported, 8, "named groups");
  // ECMAScript would read \pL as "pL": refused rather than matched differently.
  expect_error("up{job=~`\\pL+`}", kUnsupported, 8, "the RE2 escape \\p is not supported");
  expect_error("up{job=~\"(?s).*\"}", kUnsupported, 8, "RE2 inline flags");
}

TEST(PromqlErrors, MalformedQueriesGiveThePosition) {
  expect_error("", kParse, 0, "no expression");
  expect_error("sum(up", kParse, 6, "expected \",\" or \")\"");
  expect_error("up{job=\"api\"", kParse, 12, "expected \",\" or \"}\"");
  expect_error("up{job=api}", kParse, 7, "expected a quoted string");
  expect_error("up{job~\"a\"}", kParse, 6, "unexpected character");
  expect_error("rate(up)", kParse, 5, "expected type range vector in call to function \"rate\", got instant vector");
  expect_error("sum(up[5m])", kParse, 4, "expected type instant vector in aggregation expression, got range vector");
  expect_error("foo(up)", kParse, 0, "unknown function with name \"foo\"");
  expect_error("1 > 2", kParse, 2, "comparisons between scalars must use BOOL modifier");
  expect_error("up + bool 1", kParse, 5, "bool modifier can only be used on comparison operators");
  expect_error("1 and up", kParse, 2, "set operator \"and\" not allowed in binary scalar expression");
  expect_error("up{job=~\"(\"}", kParse, 8, "invalid regular expression");
  expect_error("{job=\"\"}", kParse, 0, "at least one non-empty matcher");
  expect_error("up{__name__=\"down\"}", kParse, 3, "metric name must not be set twice");
  expect_error("up[5x]", kParse, 3, "bad number or duration syntax");
  expect_error("up[0s]", kParse, 2, "range must be greater than 0");
  expect_error("sum(up)[5m]", kParse, 7, "ranges only allowed for vector selectors");
  expect_error("up offset 5m [1m]", kParse, 13, "no offset modifiers allowed before range");
  expect_error("sum(up) offset 5m", kParse, 8, "offset modifier must be preceded by");
  expect_error("rate(up[5m]) + up[5m]", kParse, 13, "binary expression must contain only scalar and instant vector types");
  expect_error("up + on(job) 1", kParse, 5, "vector matching only allowed between instant vectors");
  expect_error("histogram_quantile(up, up)", kParse, 19, "expected type scalar");
  expect_error("rate(up[5m], 1)", kParse, 0, "wrong number of arguments for function \"rate\": expected 1, got 2");
  expect_error("sum(up, up)", kParse, 0, "wrong number of arguments for aggregate expression");
  expect_error("up{job=\"a\\q\"}", kParse, 9, "unknown escape sequence");
  expect_error("(up", kParse, 3, "expected \")\"");
  expect_error("up )", kParse, 3, "unexpected \")\"");
  // 600 nested parentheses: refused before the recursion gets deep (the 501st "(" is at 500).
  expect_error(std::string(600, '(') + "1" + std::string(600, ')'), kParse, 500, "nested too deeply");
}

TEST(PromqlErrors, WhatGivesLineAndColumn) {
  try {
    promql::Query::parse("sum(\n  rate(up[5m:]))");
    FAIL();
  } catch (const QueryError& e) {
    // The '[' is on line 2, column 10 (after two spaces and "rate(up").
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 10);
    EXPECT_EQ(std::string(e.what()), "2:10: not supported: subqueries are not supported");
  }
}

TEST(PromqlErrors, AcceptedSyntax) {
  // Comments, string quoting styles and escapes, durations with several units, trailing commas.
  EXPECT_NO_THROW(promql::Query::parse("# the backlog\nsum by (queue,) (rabbitmq_queue_messages_ready{queue=~'or.*',}) # end"));
  EXPECT_NO_THROW(promql::Query::parse("rate(x_total{a=`raw\\d`}[1h30m])"));
  EXPECT_NO_THROW(promql::Query::parse("x{a=\"tab\\t\\u00e9\\x41\"}"));
  EXPECT_EQ(promql::Query::parse("x{a=\"tab\\t\\u00e9\\x41\"}").root().matchers[1].value, "tab\t\xc3\xa9" "A");
  EXPECT_EQ(promql::parse_promql_duration("1h30m"), 5400 * testing::kSec);
  EXPECT_EQ(promql::parse_promql_duration("1d"), 86400 * testing::kSec);
  EXPECT_EQ(promql::parse_promql_duration("250ms"), 250'000'000);
  // Units must go from the largest to the smallest, each once.
  EXPECT_FALSE(promql::parse_promql_duration("30m1h").has_value());
  EXPECT_FALSE(promql::parse_promql_duration("5").has_value());
  EXPECT_EQ(promql::format_promql_duration(5400 * testing::kSec), "1h30m");
  EXPECT_EQ(promql::format_promql_duration(1'500'000'000), "1s500ms");
  EXPECT_EQ(promql::Query::parse("sum(rate(x[1m]))").type(), promql::ValueType::vector);
  EXPECT_EQ(promql::Query::parse("scalar(sum(x))").type(), promql::ValueType::scalar);
}

}  // namespace
}  // namespace faultline::sim
