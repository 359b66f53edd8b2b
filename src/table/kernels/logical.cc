// Boolean kernels with SQL three-valued (Kleene) logic, computed a byte (8 rows) at a time.
#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace {

Status CheckBool(const Datum& d, const char* op) {
  if (d.type().id != TypeId::kBool) {
    return Status::TypeError(std::string(op) + " needs bool operands, got " + d.type().ToString());
  }
  return Status::OK();
}

// The aligned value and validity bytes of a bool column (validity nullptr = all valid).
struct BoolBits {
  std::shared_ptr<const Buffer> value_scratch, validity_scratch;
  const uint8_t* values = nullptr;
  const uint8_t* validity = nullptr;
  explicit BoolBits(const Column& c) {
    values = AlignBitmap(c.values_buffer()->data(), c.offset(), c.length(), &value_scratch);
    if (MayHaveNulls(c)) {
      validity = AlignBitmap(c.validity()->data(), c.offset(), c.length(), &validity_scratch);
    }
  }
};

template <bool kAnd>
Result<ColumnPtr> Kleene(const Datum& left, const Datum& right) {
  QK_RETURN_NOT_OK(CheckBool(left, kAnd ? "AND" : "OR"));
  QK_RETURN_NOT_OK(CheckBool(right, kAnd ? "AND" : "OR"));
  const int64_t n = DatumLength(left, &right);
  ColumnPtr lc = DatumToColumn(left, n), rc = DatumToColumn(right, n);
  if (lc->length() != rc->length()) {
    return Status::Invalid("operands have different lengths: " + std::to_string(lc->length()) +
                           " and " + std::to_string(rc->length()));
  }
  BoolBits l(*lc), r(*rc);
  const int64_t nbytes = BitmapBytes(n);
  std::shared_ptr<Buffer> values = AllocateBuffer(nbytes);
  uint8_t* out = values->mutable_data();
  if (l.validity == nullptr && r.validity == nullptr) {
    for (int64_t i = 0; i < nbytes; ++i) {
      out[i] = kAnd ? (l.values[i] & r.values[i]) : (l.values[i] | r.values[i]);
    }
    return MakeColumn(DataType::Bool(), n, nullptr, std::move(values));
  }
  std::shared_ptr<Buffer> validity = AllocateBuffer(nbytes);
  uint8_t* valid = validity->mutable_data();
  for (int64_t i = 0; i < nbytes; ++i) {
    const uint8_t lv = l.validity ? l.validity[i] : 0xff;
    const uint8_t rv = r.validity ? r.validity[i] : 0xff;
    const uint8_t lt = lv & l.values[i], lf = lv & static_cast<uint8_t>(~l.values[i]);
    const uint8_t rt = rv & r.values[i], rf = rv & static_cast<uint8_t>(~r.values[i]);
    const uint8_t t = kAnd ? (lt & rt) : (lt | rt);
    const uint8_t f = kAnd ? (lf | rf) : (lf & rf);
    out[i] = t;
    valid[i] = t | f;
  }
  return MakeColumn(DataType::Bool(), n, std::move(validity), std::move(values));
}

}  // namespace

Result<ColumnPtr> And(const Datum& left, const Datum& right) { return Kleene<true>(left, right); }
Result<ColumnPtr> Or(const Datum& left, const Datum& right) { return Kleene<false>(left, right); }

Result<ColumnPtr> Not(const ColumnPtr& input) {
  QK_RETURN_NOT_OK(CheckBool(Datum(input), "NOT"));
  const int64_t n = input->length();
  std::shared_ptr<Buffer> values = CopyBitmap(input->values_buffer()->data(), input->offset(), n);
  uint8_t* data = values->mutable_data();
  for (int64_t i = 0; i < BitmapBytes(n); ++i) data[i] = static_cast<uint8_t>(~data[i]);
  if (n % 8 != 0) data[n / 8] &= static_cast<uint8_t>((1u << (n % 8)) - 1);
  return MakeColumn(DataType::Bool(), n, ZeroOffsetValidity(*input), std::move(values));
}

}  // namespace quokka::compute
