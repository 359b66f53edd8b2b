// Encode/Decode of the canned executors and of HashPartitionFunction: each writes its
// configuration as one array of a fixed length (never channel state). Decoding checks lengths
// and enum values, so malformed bytes give quokka::Error instead of an executor that misbehaves.
#include "quokka/executors.h"
#include "quokka/serialize.h"

namespace quokka {
namespace {

[[noreturn]] void Fail(const char* type, const std::string& what) {
  throw Error(Status::Invalid(std::string("cannot decode ") + type + ": " + what));
}

void ExpectFields(Decoder& in, uint32_t expected, const char* type) {
  const uint32_t fields = in.ArrayHeader();
  if (fields != expected) {
    Fail(type, "expected " + std::to_string(expected) + " fields, got " + std::to_string(fields));
  }
}

template <typename E>
E DecodeEnum(Decoder& in, E last, const char* type, const char* what) {
  const int64_t value = in.Int();
  if (value < 0 || value > static_cast<int64_t>(last)) {
    Fail(type, std::string("unknown ") + what + " " + std::to_string(value));
  }
  return static_cast<E>(value);
}

void EncodeExprs(const std::vector<Expr>& exprs, Encoder& out) {
  out.ArrayHeader(static_cast<uint32_t>(exprs.size()));
  for (const Expr& expr : exprs) expr.Encode(out);
}

std::vector<Expr> DecodeExprs(Decoder& in) {
  const uint32_t size = in.ArrayHeader();
  std::vector<Expr> exprs;
  exprs.reserve(size);
  for (uint32_t i = 0; i < size; ++i) exprs.push_back(Expr::Decode(in));
  return exprs;
}

char DecodeChar(Decoder& in, const char* type) {
  const int64_t value = in.Int();
  if (value < -128 || value > 255) Fail(type, "character " + std::to_string(value));
  return static_cast<char>(value);
}

}  // namespace

// ------------------------------------------------------------------------ partitioning

void HashPartitionFunction::Encode(Encoder& out) const {
  out.ArrayHeader(1);
  EncodeStrings(keys_, out);
}

HashPartitionFunction HashPartitionFunction::Decode(Decoder& in) {
  ExpectFields(in, 1, "quokka.hash_partition");
  return HashPartitionFunction(DecodeStrings(in));
}

// ----------------------------------------------------------------------- stateless maps

void FilterExecutor::Encode(Encoder& out) const {
  out.ArrayHeader(1);
  predicate_.Encode(out);
}

FilterExecutor FilterExecutor::Decode(Decoder& in) {
  ExpectFields(in, 1, "quokka.filter_executor");
  return FilterExecutor(Expr::Decode(in));
}

void ProjectExecutor::Encode(Encoder& out) const {
  out.ArrayHeader(1);
  EncodeExprs(exprs_, out);
}

ProjectExecutor ProjectExecutor::Decode(Decoder& in) {
  ExpectFields(in, 1, "quokka.project_executor");
  return ProjectExecutor(DecodeExprs(in));
}

// -------------------------------------------------------------------------------- joins

void HashJoin::Encode(Encoder& out) const {
  out.ArrayHeader(4);
  EncodeStrings(options_.left_keys, out);
  EncodeStrings(options_.right_keys, out);
  out.Int(static_cast<int64_t>(options_.type));
  out.String(options_.right_suffix);
}

HashJoin HashJoin::Decode(Decoder& in) {
  const char* type = "quokka.hash_join";
  ExpectFields(in, 4, type);
  JoinOptions options;
  options.left_keys = DecodeStrings(in);
  options.right_keys = DecodeStrings(in);
  options.type = DecodeEnum(in, JoinType::kAnti, type, "join type");
  options.right_suffix = in.String();
  return HashJoin(std::move(options));
}

void AsofJoin::Encode(Encoder& out) const {
  out.ArrayHeader(5);
  out.String(options_.left_on);
  out.String(options_.right_on);
  EncodeStrings(options_.left_by, out);
  EncodeStrings(options_.right_by, out);
  out.String(options_.right_suffix);
}

AsofJoin AsofJoin::Decode(Decoder& in) {
  ExpectFields(in, 5, "quokka.asof_join");
  AsofJoinOptions options;
  options.left_on = in.String();
  options.right_on = in.String();
  options.left_by = DecodeStrings(in);
  options.right_by = DecodeStrings(in);
  options.right_suffix = in.String();
  return AsofJoin(std::move(options));
}

// -------------------------------------------------------------------------- aggregation

void HashAggregate::Encode(Encoder& out) const {
  out.ArrayHeader(2);
  EncodeStrings(keys_, out);
  out.ArrayHeader(static_cast<uint32_t>(aggregates_.size()));
  for (const Aggregate& aggregate : aggregates_) {
    out.ArrayHeader(3);
    out.Int(static_cast<int64_t>(aggregate.function));
    out.String(aggregate.column);
    out.String(aggregate.name);
  }
}

HashAggregate HashAggregate::Decode(Decoder& in) {
  const char* type = "quokka.hash_aggregate";
  ExpectFields(in, 2, type);
  std::vector<std::string> keys = DecodeStrings(in);
  const uint32_t size = in.ArrayHeader();
  std::vector<Aggregate> aggregates;
  aggregates.reserve(size);
  for (uint32_t i = 0; i < size; ++i) {
    ExpectFields(in, 3, type);
    Aggregate aggregate;
    aggregate.function = DecodeEnum(in, AggregateFunction::kMean, type, "aggregate function");
    aggregate.column = in.String();
    aggregate.name = in.String();
    aggregates.push_back(std::move(aggregate));
  }
  return HashAggregate(std::move(keys), std::move(aggregates));
}

void Count::Encode(Encoder& out) const { out.ArrayHeader(0); }

Count Count::Decode(Decoder& in) {
  ExpectFields(in, 0, "quokka.count");
  return Count();
}

void Distinct::Encode(Encoder& out) const {
  out.ArrayHeader(1);
  EncodeStrings(columns_, out);
}

Distinct Distinct::Decode(Decoder& in) {
  ExpectFields(in, 1, "quokka.distinct");
  return Distinct(DecodeStrings(in));
}

// ------------------------------------------------------------------------ sort and limit

void Sort::Encode(Encoder& out) const {
  out.ArrayHeader(2);
  out.ArrayHeader(static_cast<uint32_t>(keys_.size()));
  for (const compute::SortKey& key : keys_) {
    out.ArrayHeader(3);
    out.String(key.column);
    out.Bool(key.ascending);
    out.Bool(key.nulls_first);
  }
  out.Int(limit_);
}

Sort Sort::Decode(Decoder& in) {
  const char* type = "quokka.sort";
  ExpectFields(in, 2, type);
  const uint32_t size = in.ArrayHeader();
  std::vector<compute::SortKey> keys;
  keys.reserve(size);
  for (uint32_t i = 0; i < size; ++i) {
    ExpectFields(in, 3, type);
    compute::SortKey key;
    key.column = in.String();
    key.ascending = in.Bool();
    key.nulls_first = in.Bool();
    keys.push_back(std::move(key));
  }
  const int64_t limit = in.Int();
  return Sort(std::move(keys), limit);
}

void Limit::Encode(Encoder& out) const {
  out.ArrayHeader(1);
  out.Int(limit_);
}

Limit Limit::Decode(Decoder& in) {
  ExpectFields(in, 1, "quokka.limit");
  return Limit(in.Int());
}

// --------------------------------------------------------------------------------- sinks

void CsvSink::Encode(Encoder& out) const {
  out.ArrayHeader(5);
  out.String(directory_);
  out.Int(static_cast<unsigned char>(options_.delimiter));
  out.Int(static_cast<unsigned char>(options_.quote));
  out.Bool(options_.header);
  out.String(options_.line_terminator);
}

CsvSink CsvSink::Decode(Decoder& in) {
  const char* type = "quokka.csv_sink";
  ExpectFields(in, 5, type);
  std::string directory = in.String();
  CsvWriteOptions options;
  options.delimiter = DecodeChar(in, type);
  options.quote = DecodeChar(in, type);
  options.header = in.Bool();
  options.line_terminator = in.String();
  Status valid = options.Validate();
  if (!valid.ok()) Fail(type, valid.message());
  return CsvSink(std::move(directory), std::move(options));
}

void IpcSink::Encode(Encoder& out) const {
  out.ArrayHeader(1);
  out.String(directory_);
}

IpcSink IpcSink::Decode(Decoder& in) {
  ExpectFields(in, 1, "quokka.ipc_sink");
  return IpcSink(in.String());
}

}  // namespace quokka
