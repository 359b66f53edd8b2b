// Arrow IPC reading: verified metadata, checked buffers, the stream and file formats.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include "ipc_internal.h"
#include "ipc_source.h"

namespace quokka {
namespace ipc {

AlignedBytes::AlignedBytes(const uint8_t* data, int64_t size)
    : words_(static_cast<size_t>((size + 7) / 8)), size_(size) {
  if (size > 0) std::memcpy(words_.data(), data, size);
}

namespace {

// Limits for the verifier: generous for real schemas, small enough to bound the work.
constexpr flatbuffers::uoffset_t kMaxDepth = 128;
constexpr flatbuffers::uoffset_t kMaxTables = 10'000'000;

// The verifier checks the alignment of scalars but not of the elements of vectors of 8-byte
// structs and scalars; writers align them, and reading misaligned ones is undefined.
template <typename Vector>
bool Aligned8(const Vector* vector) {
  return vector == nullptr || vector->size() == 0 ||
         reinterpret_cast<uintptr_t>(vector->Data()) % 8 == 0;
}

std::string Quote(const flatbuffers::String* name) {
  std::string out = "'";
  if (name != nullptr) out.append(name->c_str(), name->size());
  out.push_back('\'');
  return out;
}

std::string TypeName(fb::Type type) {
  const char* name = fb::EnumNameType(type);
  return (name && *name) ? name : "unknown(" + std::to_string(static_cast<int>(type)) + ")";
}

Result<DataType> ConvertType(const fb::Field* field, SourceLayout* layout, int* decimal_bits) {
  *layout = SourceLayout::kNative;
  const std::string where = "field " + Quote(field->name());
  auto unsupported = [&](const std::string& what) {
    return Status::Invalid(where + " has Arrow type " + what + ", which quokka does not support");
  };
  if (field->dictionary() != nullptr) {
    return Status::Invalid(where + " is dictionary-encoded, which quokka does not support");
  }
  fb::Type type = field->type_type();
  switch (type) {
    case fb::Type::Int: {
      const fb::Int* t = field->type_as_Int();
      if (t == nullptr) return Status::Invalid(where + ": Int type without parameters");
      int bits = t->bit_width();
      if (t->is_signed()) {
        if (bits == 8) return DataType::Int8();
        if (bits == 16) return DataType::Int16();
        if (bits == 32) return DataType::Int32();
        if (bits == 64) return DataType::Int64();
        return unsupported("Int(" + std::to_string(bits) + ", signed)");
      }
      if (bits == 8) return *layout = SourceLayout::kUInt8, DataType::Int16();
      if (bits == 16) return *layout = SourceLayout::kUInt16, DataType::Int32();
      if (bits == 32) return *layout = SourceLayout::kUInt32, DataType::Int64();
      return unsupported("Int(" + std::to_string(bits) + ", unsigned)");
    }
    case fb::Type::FloatingPoint: {
      const fb::FloatingPoint* t = field->type_as_FloatingPoint();
      if (t == nullptr) return Status::Invalid(where + ": FloatingPoint type without parameters");
      if (t->precision() == fb::Precision::DOUBLE) return DataType::Float64();
      if (t->precision() == fb::Precision::SINGLE) {
        *layout = SourceLayout::kFloat32;
        return DataType::Float64();
      }
      return unsupported("FloatingPoint(HALF)");
    }
    case fb::Type::Bool:
      return DataType::Bool();
    case fb::Type::Utf8:
      return DataType::Utf8();
    case fb::Type::LargeUtf8:
      *layout = SourceLayout::kLargeUtf8;
      return DataType::Utf8();
    case fb::Type::Utf8View:
      *layout = SourceLayout::kUtf8View;
      return DataType::Utf8();
    case fb::Type::Decimal: {
      const fb::Decimal* t = field->type_as_Decimal();
      if (t == nullptr) return Status::Invalid(where + ": Decimal type without parameters");
      std::string name = "Decimal(precision " + std::to_string(t->precision()) + ", scale " +
                         std::to_string(t->scale()) + ", " + std::to_string(t->bit_width()) +
                         " bits)";
      int bits = t->bit_width();
      if (bits != 32 && bits != 64 && bits != 128 && bits != 256) return unsupported(name);
      if (t->precision() < 1 || t->precision() > 18) {
        return Status::Invalid(where + " has Arrow type " + name +
                               ": quokka decimals (scaled int64) hold at most 18 digits");
      }
      if (t->scale() < 0 || t->scale() > t->precision()) {
        return Status::Invalid(where + " has Arrow type " + name +
                               ": quokka needs 0 <= scale <= precision");
      }
      *layout = SourceLayout::kDecimal;
      *decimal_bits = bits;
      return DataType::Decimal(t->precision(), t->scale());
    }
    case fb::Type::Date: {
      const fb::Date* t = field->type_as_Date();
      if (t == nullptr) return Status::Invalid(where + ": Date type without parameters");
      if (t->unit() == fb::DateUnit::MILLISECOND)
        *layout = SourceLayout::kDate64;
      else if (t->unit() != fb::DateUnit::DAY)
        return unsupported("Date(unknown unit)");
      return DataType::Date32();
    }
    case fb::Type::Timestamp: {
      const fb::Timestamp* t = field->type_as_Timestamp();
      if (t == nullptr) return Status::Invalid(where + ": Timestamp type without parameters");
      switch (t->unit()) {
        case fb::TimeUnit::SECOND:
          return DataType::Timestamp(TimeUnit::kSecond);
        case fb::TimeUnit::MILLISECOND:
          return DataType::Timestamp(TimeUnit::kMilli);
        case fb::TimeUnit::MICROSECOND:
          return DataType::Timestamp(TimeUnit::kMicro);
        case fb::TimeUnit::NANOSECOND:
          return DataType::Timestamp(TimeUnit::kNano);
      }
      return unsupported("Timestamp(unknown unit)");
    }
    case fb::Type::NONE:
      return Status::Invalid(where + " has no type");
    default:
      return unsupported(TypeName(type));
  }
}

// Hands out the buffers of a record batch in order, each checked against the body.
class BufferCursor {
 public:
  BufferCursor(const fb::RecordBatch* batch, const uint8_t* body, int64_t body_length)
      : buffers_(batch->buffers()), body_(body), body_length_(body_length) {}

  // The next buffer; fails if there is none or it lies outside the body.
  Status Next(const std::string& what, const uint8_t** data, int64_t* length) {
    if (buffers_ == nullptr || next_ >= buffers_->size()) {
      return Status::Invalid(what + ": the record batch lists too few buffers (" +
                             std::to_string(buffers_ ? buffers_->size() : 0) + ")");
    }
    const fb::Buffer* buffer = buffers_->Get(next_++);
    int64_t offset = buffer->offset();
    int64_t size = buffer->length();
    if (offset < 0 || size < 0 || offset > body_length_ || size > body_length_ - offset) {
      return Status::Invalid(what + ": buffer " + std::to_string(next_ - 1) + " [offset " +
                             std::to_string(offset) + ", length " + std::to_string(size) +
                             "] lies outside the message body of " + std::to_string(body_length_) +
                             " bytes");
    }
    *data = body_ + offset;
    *length = size;
    return Status::OK();
  }

 private:
  const flatbuffers::Vector<const fb::Buffer*>* buffers_;
  const uint8_t* body_;
  int64_t body_length_;
  flatbuffers::uoffset_t next_ = 0;
};

// Copy `need` bytes of a buffer into a new aligned Buffer, failing if it is shorter.
Result<std::shared_ptr<Buffer>> CopyBuffer(const std::string& what, const uint8_t* data,
                                           int64_t size, int64_t need) {
  if (size < need) {
    return Status::Invalid(what + " holds " + std::to_string(size) + " bytes, needs " +
                           std::to_string(need));
  }
  std::shared_ptr<Buffer> buffer = Buffer::Allocate(need);
  if (need > 0) std::memcpy(buffer->mutable_data(), data, need);
  return buffer;
}

template <typename From, typename To>
Result<std::shared_ptr<Buffer>> Widen(const std::string& what, const uint8_t* data, int64_t size,
                                      int64_t length) {
  if (size / static_cast<int64_t>(sizeof(From)) < length) {
    return Status::Invalid(what + " holds " + std::to_string(size) + " bytes, needs " +
                           std::to_string(length * static_cast<int64_t>(sizeof(From))));
  }
  std::shared_ptr<Buffer> buffer = Buffer::Allocate(length * sizeof(To));
  To* out = reinterpret_cast<To*>(buffer->mutable_data());
  for (int64_t i = 0; i < length; ++i) {
    From value;
    std::memcpy(&value, data + i * sizeof(From), sizeof(From));
    out[i] = static_cast<To>(value);
  }
  return buffer;
}

struct ColumnInput {
  std::string what;  // "field 'x'" for errors
  int64_t length;
  int64_t null_count;
  const uint8_t* validity;  // null when there are no nulls
};

bool RowValid(const ColumnInput& in, int64_t row) {
  return in.validity == nullptr || GetBit(in.validity, row);
}

// Builds int32 offsets + data from a sequence of (pointer, size) strings.
class StringAssembler {
 public:
  explicit StringAssembler(int64_t length)
      : offsets_(Buffer::Allocate((length + 1) * 4)),
        offset_data_(reinterpret_cast<int32_t*>(offsets_->mutable_data())) {
    offset_data_[0] = 0;
  }
  // Record the total size first (checked against the int32 limit), then append.
  static Status CheckTotal(const std::string& what, int64_t total) {
    if (total > std::numeric_limits<int32_t>::max()) {
      return Status::Invalid(what + ": " + std::to_string(total) +
                             " bytes of strings exceed the 2 GiB of a utf8 column");
    }
    return Status::OK();
  }
  void Allocate(int64_t total) {
    data_ = Buffer::Allocate(total);
    used_ = 0;
  }
  void Append(int64_t row, const uint8_t* data, int64_t size) {
    if (size > 0) std::memcpy(data_->mutable_data() + used_, data, size);
    used_ += size;
    offset_data_[row + 1] = static_cast<int32_t>(used_);
  }
  std::shared_ptr<Buffer> offsets() { return offsets_; }
  std::shared_ptr<Buffer> data() { return data_; }

 private:
  std::shared_ptr<Buffer> offsets_;
  int32_t* offset_data_;
  std::shared_ptr<Buffer> data_;
  int64_t used_ = 0;
};

// Offsets of a utf8 (int32) or large utf8 (int64) column: checked, then re-based to start at 0.
template <typename Offset>
Status ReadOffsetStrings(const ColumnInput& in, BufferCursor& cursor, BufferPtr* offsets_out,
                         BufferPtr* data_out) {
  const uint8_t* offsets;
  int64_t offsets_size;
  const uint8_t* data;
  int64_t data_size;
  QK_RETURN_NOT_OK(cursor.Next(in.what + " offsets", &offsets, &offsets_size));
  QK_RETURN_NOT_OK(cursor.Next(in.what + " data", &data, &data_size));
  const int64_t length = in.length;
  StringAssembler strings(length);
  if (length == 0) {
    strings.Allocate(0);
    *offsets_out = strings.offsets();
    *data_out = strings.data();
    return Status::OK();
  }
  const int64_t width = sizeof(Offset);
  if (offsets_size / width < length + 1) {
    return Status::Invalid(in.what + " offsets buffer holds " + std::to_string(offsets_size) +
                           " bytes, needs " + std::to_string((length + 1) * width));
  }
  auto load = [&](int64_t i) {
    Offset value;
    std::memcpy(&value, offsets + i * width, width);
    return static_cast<int64_t>(value);
  };
  int64_t first = load(0);
  int64_t previous = first;
  if (first < 0) return Status::Invalid(in.what + ": negative first string offset");
  for (int64_t i = 1; i <= length; ++i) {
    int64_t current = load(i);
    if (current < previous) {
      return Status::Invalid(in.what + ": string offsets decrease at row " + std::to_string(i - 1));
    }
    previous = current;
  }
  if (previous > data_size) {
    return Status::Invalid(in.what + ": string offsets end at " + std::to_string(previous) +
                           ", past the " + std::to_string(data_size) + "-byte data buffer");
  }
  QK_RETURN_NOT_OK(StringAssembler::CheckTotal(in.what, previous - first));
  if constexpr (sizeof(Offset) == 4) {
    std::shared_ptr<Buffer> rebased = Buffer::Allocate((length + 1) * 4);
    int32_t* out = reinterpret_cast<int32_t*>(rebased->mutable_data());
    for (int64_t i = 0; i <= length; ++i) out[i] = static_cast<int32_t>(load(i) - first);
    *offsets_out = rebased;
    *data_out = Buffer::Copy(data + first, previous - first);
  } else {
    strings.Allocate(previous - first);
    for (int64_t i = 0; i < length; ++i) strings.Append(i, data + load(i), load(i + 1) - load(i));
    *offsets_out = strings.offsets();
    *data_out = strings.data();
  }
  return Status::OK();
}

// Utf8View: 16-byte views (length; inline bytes, or prefix, buffer index, offset) into the
// variadic data buffers that follow.
Status ReadViewStrings(const ColumnInput& in, BufferCursor& cursor, int64_t num_data_buffers,
                       BufferPtr* offsets_out, BufferPtr* data_out) {
  const uint8_t* views;
  int64_t views_size;
  QK_RETURN_NOT_OK(cursor.Next(in.what + " views", &views, &views_size));
  if (views_size / 16 < in.length) {
    return Status::Invalid(in.what + " views buffer holds " + std::to_string(views_size) +
                           " bytes, needs " + std::to_string(in.length * 16));
  }
  std::vector<std::pair<const uint8_t*, int64_t>> buffers;
  for (int64_t b = 0; b < num_data_buffers; ++b) {
    const uint8_t* data;
    int64_t size;
    QK_RETURN_NOT_OK(cursor.Next(in.what + " data buffer " + std::to_string(b), &data, &size));
    buffers.emplace_back(data, size);
  }
  // First pass: check every view and add up the sizes.
  int64_t total = 0;
  for (int64_t i = 0; i < in.length; ++i) {
    if (!RowValid(in, i)) continue;
    const uint8_t* view = views + i * 16;
    int32_t size = LoadI32(view);
    if (size < 0)
      return Status::Invalid(in.what + ": negative string length at row " + std::to_string(i));
    if (size > 12) {
      int32_t index = LoadI32(view + 8);
      int32_t offset = LoadI32(view + 12);
      if (index < 0 || index >= num_data_buffers || offset < 0 ||
          size > buffers[index].second - offset) {
        return Status::Invalid(in.what + ": string view at row " + std::to_string(i) +
                               " points outside its data buffers");
      }
    }
    total += size;
    QK_RETURN_NOT_OK(StringAssembler::CheckTotal(in.what, total));
  }
  StringAssembler strings(in.length);
  strings.Allocate(total);
  for (int64_t i = 0; i < in.length; ++i) {
    const uint8_t* view = views + i * 16;
    if (!RowValid(in, i)) {
      strings.Append(i, nullptr, 0);
      continue;
    }
    int32_t size = LoadI32(view);
    if (size <= 12) {
      strings.Append(i, view + 4, size);
    } else {
      strings.Append(i, buffers[LoadI32(view + 8)].first + LoadI32(view + 12), size);
    }
  }
  *offsets_out = strings.offsets();
  *data_out = strings.data();
  return Status::OK();
}

Status ReadDecimals(const ColumnInput& in, const uint8_t* data, int64_t size, int bits,
                    BufferPtr* values_out) {
  const int64_t width = bits / 8;
  if (size / width < in.length) {
    return Status::Invalid(in.what + " values buffer holds " + std::to_string(size) +
                           " bytes, needs " + std::to_string(in.length * width));
  }
  std::shared_ptr<Buffer> buffer = Buffer::Allocate(in.length * 8);
  int64_t* out = reinterpret_cast<int64_t*>(buffer->mutable_data());
  for (int64_t i = 0; i < in.length; ++i) {
    const uint8_t* value = data + i * width;
    if (!RowValid(in, i)) {
      out[i] = 0;
      continue;
    }
    if (width == 4) {
      out[i] = LoadI32(value);
      continue;
    }
    int64_t low = LoadI64(value);
    uint8_t sign = low < 0 ? 0xFF : 0x00;
    for (int64_t k = 8; k < width; ++k) {
      if (value[k] != sign) {
        return Status::Invalid(in.what + ": the decimal at row " + std::to_string(i) +
                               " does not fit in 64 bits (quokka decimals are scaled int64)");
      }
    }
    out[i] = low;
  }
  *values_out = buffer;
  return Status::OK();
}

// The values buffer of a fixed-width column, converted to the quokka layout.
Result<BufferPtr> ReadValues(const ColumnInput& in, const DataType& type, SourceLayout layout,
                             int decimal_bits, const uint8_t* data, int64_t size) {
  const std::string what = in.what + " values buffer";
  switch (layout) {
    case SourceLayout::kNative: {
      int64_t width = type.id == TypeId::kBool ? 0 : type.byte_width();
      int64_t need = width == 0 ? (in.length + 7) / 8 : in.length * width;
      if (width > 0 && size / width < in.length) {
        return Status::Invalid(what + " holds " + std::to_string(size) + " bytes, needs " +
                               std::to_string(in.length * width));
      }
      QK_ASSIGN_OR_RAISE(BufferPtr values, CopyBuffer(what, data, size, need));
      return values;
    }
    case SourceLayout::kUInt8: {
      QK_ASSIGN_OR_RAISE(BufferPtr values, (Widen<uint8_t, int16_t>(what, data, size, in.length)));
      return values;
    }
    case SourceLayout::kUInt16: {
      QK_ASSIGN_OR_RAISE(BufferPtr values, (Widen<uint16_t, int32_t>(what, data, size, in.length)));
      return values;
    }
    case SourceLayout::kUInt32: {
      QK_ASSIGN_OR_RAISE(BufferPtr values, (Widen<uint32_t, int64_t>(what, data, size, in.length)));
      return values;
    }
    case SourceLayout::kFloat32: {
      QK_ASSIGN_OR_RAISE(BufferPtr values, (Widen<float, double>(what, data, size, in.length)));
      return values;
    }
    case SourceLayout::kDate64: {
      QK_ASSIGN_OR_RAISE(BufferPtr millis, (Widen<int64_t, int64_t>(what, data, size, in.length)));
      std::shared_ptr<Buffer> days = Buffer::Allocate(in.length * 4);
      const int64_t* ms = reinterpret_cast<const int64_t*>(millis->data());
      int32_t* out = reinterpret_cast<int32_t*>(days->mutable_data());
      for (int64_t i = 0; i < in.length; ++i) {
        int64_t d = ms[i] / 86'400'000;
        if (ms[i] % 86'400'000 < 0) --d;
        if (!RowValid(in, i)) d = 0;
        if (d < std::numeric_limits<int32_t>::min() || d > std::numeric_limits<int32_t>::max()) {
          return Status::Invalid(in.what + ": date out of range at row " + std::to_string(i));
        }
        out[i] = static_cast<int32_t>(d);
      }
      return BufferPtr(days);
    }
    case SourceLayout::kDecimal: {
      BufferPtr values;
      QK_RETURN_NOT_OK(ReadDecimals(in, data, size, decimal_bits, &values));
      return values;
    }
    case SourceLayout::kLargeUtf8:
    case SourceLayout::kUtf8View:
      break;
  }
  return Status::Internal(in.what + ": unexpected layout");
}

Result<ColumnPtr> ReadColumn(const DecodedSchema& schema, int index, const fb::FieldNode* node,
                             BufferCursor& cursor, const fb::RecordBatch* batch,
                             int* view_field_index) {
  const Field& field = schema.schema->field(index);
  const SourceLayout layout = schema.layouts[index];
  ColumnInput in{"field '" + field.name + "'", node->length(), node->null_count(), nullptr};
  if (in.length < 0 || in.null_count < 0 || in.null_count > in.length) {
    return Status::Invalid(in.what + ": invalid length " + std::to_string(in.length) +
                           " / null count " + std::to_string(in.null_count));
  }
  const uint8_t* validity_data;
  int64_t validity_size;
  QK_RETURN_NOT_OK(cursor.Next(in.what + " validity", &validity_data, &validity_size));
  BufferPtr validity;
  if (in.null_count > 0) {
    QK_ASSIGN_OR_RAISE(validity, CopyBuffer(in.what + " validity bitmap", validity_data,
                                            validity_size, (in.length + 7) / 8));
    in.validity = validity->data();
  }
  const DataType& type = field.type;
  BufferPtr values, offsets;
  if (type.id == TypeId::kUtf8) {
    if (layout == SourceLayout::kNative) {
      QK_RETURN_NOT_OK(ReadOffsetStrings<int32_t>(in, cursor, &offsets, &values));
    } else if (layout == SourceLayout::kLargeUtf8) {
      QK_RETURN_NOT_OK(ReadOffsetStrings<int64_t>(in, cursor, &offsets, &values));
    } else {
      const auto* counts = batch->variadic_buffer_counts();
      int view_index = (*view_field_index)++;
      if (counts == nullptr || view_index >= static_cast<int>(counts->size())) {
        return Status::Invalid(in.what + ": Utf8View without a variadic buffer count");
      }
      int64_t count = counts->Get(view_index);
      if (count < 0 || count > 1'000'000) {
        return Status::Invalid(in.what + ": invalid variadic buffer count " +
                               std::to_string(count));
      }
      QK_RETURN_NOT_OK(ReadViewStrings(in, cursor, count, &offsets, &values));
    }
  } else {
    const uint8_t* data;
    int64_t size;
    QK_RETURN_NOT_OK(cursor.Next(in.what + " values", &data, &size));
    QK_ASSIGN_OR_RAISE(values,
                       ReadValues(in, type, layout, schema.decimal_bit_width[index], data, size));
  }
  return std::make_shared<const Column>(type, in.length, validity, values, offsets,
                                        validity ? -1 : 0);
}

}  // namespace

Result<const fb::Message*> VerifyMessage(const AlignedBytes& bytes) {
  flatbuffers::Verifier verifier(bytes.data(), static_cast<size_t>(bytes.size()), kMaxDepth,
                                 kMaxTables);
  if (!verifier.VerifyBuffer<fb::Message>(nullptr)) {
    return Status::Invalid("message metadata is not a valid Arrow Message flatbuffer");
  }
  return flatbuffers::GetRoot<fb::Message>(bytes.data());
}

Result<const fb::Footer*> VerifyFooter(const AlignedBytes& bytes) {
  flatbuffers::Verifier verifier(bytes.data(), static_cast<size_t>(bytes.size()), kMaxDepth,
                                 kMaxTables);
  if (!verifier.VerifyBuffer<fb::Footer>(nullptr)) {
    return Status::Invalid("the footer is not a valid Arrow Footer flatbuffer");
  }
  return flatbuffers::GetRoot<fb::Footer>(bytes.data());
}

Status CheckVersion(fb::MetadataVersion version) {
  if (version < fb::MetadataVersion::V4 || version > fb::MetadataVersion::V5) {
    return Status::Invalid("unsupported Arrow metadata version V" +
                           std::to_string(static_cast<int>(version) + 1) +
                           " (quokka reads V4 and V5)");
  }
  return Status::OK();
}

Result<DecodedSchema> DecodeSchema(const fb::Schema* schema) {
  if (schema == nullptr) return Status::Invalid("missing schema");
  if (schema->endianness() != fb::Endianness::Little) {
    return Status::Invalid("big-endian Arrow data is not supported");
  }
  DecodedSchema out;
  std::vector<Field> fields;
  if (const auto* list = schema->fields()) {
    for (flatbuffers::uoffset_t i = 0; i < list->size(); ++i) {
      const fb::Field* field = list->Get(i);
      SourceLayout layout;
      int bits = 0;
      QK_ASSIGN_OR_RAISE(DataType type, ConvertType(field, &layout, &bits));
      if (field->children() != nullptr && field->children()->size() > 0) {
        return Status::Invalid("field " + Quote(field->name()) + " of type " + type.ToString() +
                               " has child fields");
      }
      fields.push_back(
          Field{field->name() ? field->name()->str() : std::string(), type, field->nullable()});
      out.layouts.push_back(layout);
      out.decimal_bit_width.push_back(bits);
    }
  }
  out.schema = std::make_shared<const Schema>(std::move(fields));
  return out;
}

Result<Table> DecodeRecordBatch(const DecodedSchema& schema, const fb::RecordBatch* batch,
                                const uint8_t* body, int64_t body_length) {
  if (batch == nullptr) return Status::Invalid("record batch message without a header");
  if (batch->compression() != nullptr) {
    const char* codec = fb::EnumNameCompressionType(batch->compression()->codec());
    return Status::Invalid(std::string("the record batch is compressed (") +
                           (codec && *codec ? codec : "unknown codec") +
                           "), which quokka does not support; write it uncompressed");
  }
  if (!Aligned8(batch->nodes()) || !Aligned8(batch->buffers()) ||
      !Aligned8(batch->variadic_buffer_counts())) {
    return Status::Invalid("misaligned record batch metadata");
  }
  const int num_fields = schema.schema->num_fields();
  const auto* nodes = batch->nodes();
  int64_t num_nodes = nodes ? nodes->size() : 0;
  if (num_nodes != num_fields) {
    return Status::Invalid("the record batch has " + std::to_string(num_nodes) +
                           " field nodes for " + std::to_string(num_fields) + " fields");
  }
  const int64_t length = batch->length();
  if (length < 0) return Status::Invalid("negative record batch length");
  BufferCursor cursor(batch, body, body_length);
  std::vector<ColumnPtr> columns;
  columns.reserve(num_fields);
  int view_field_index = 0;
  for (int i = 0; i < num_fields; ++i) {
    const fb::FieldNode* node = nodes->Get(i);
    if (node->length() != length) {
      return Status::Invalid("field '" + schema.schema->field(i).name + "' has " +
                             std::to_string(node->length()) + " rows, the record batch " +
                             std::to_string(length));
    }
    QK_ASSIGN_OR_RAISE(ColumnPtr column,
                       ReadColumn(schema, i, node, cursor, batch, &view_field_index));
    columns.push_back(std::move(column));
  }
  return Table::Make(schema.schema, std::move(columns));
}

// ---- Sources --------------------------------------------------------------------------------

Result<std::string_view> MemorySource::Read(int64_t offset, int64_t length, std::string*) {
  if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
    return Status::Invalid("read of " + std::to_string(length) + " bytes at " +
                           std::to_string(offset) + " past the end (" + std::to_string(size()) +
                           " bytes)");
  }
  return data_.substr(offset, length);
}

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  QK_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> file, OpenInputFile(path));
  return std::unique_ptr<FileSource>(new FileSource(std::move(file)));
}

Result<std::string_view> FileSource::Read(int64_t offset, int64_t length, std::string* scratch) {
  if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
    return Status::Invalid("read of " + std::to_string(length) + " bytes at " +
                           std::to_string(offset) + " past the end of the file (" +
                           std::to_string(size()) + " bytes)");
  }
  scratch->resize(length);
  QK_RETURN_NOT_OK(file_->ReadAt(offset, length, scratch->data()));
  return std::string_view(*scratch);
}

// ---- File format ----------------------------------------------------------------------------

Status IpcFileContents::Open(Source& source) {
  const int64_t size = source.size();
  std::string scratch;
  if (size < kFileHeaderSize + 4 + kMagicSize) {
    return Status::Invalid("too small (" + std::to_string(size) +
                           " bytes) to be an Arrow IPC file");
  }
  QK_ASSIGN_OR_RAISE(std::string_view head, source.Read(0, kMagicSize, &scratch));
  if (head != std::string_view(kMagic, kMagicSize)) {
    return Status::Invalid("not an Arrow IPC file (no ARROW1 magic at the start)");
  }
  QK_ASSIGN_OR_RAISE(std::string_view tail,
                     source.Read(size - 4 - kMagicSize, 4 + kMagicSize, &scratch));
  if (tail.substr(4) != std::string_view(kMagic, kMagicSize)) {
    return Status::Invalid("truncated or not an Arrow IPC file (no ARROW1 magic at the end)");
  }
  int64_t footer_length = LoadI32(reinterpret_cast<const uint8_t*>(tail.data()));
  int64_t footer_end = size - 4 - kMagicSize;
  if (footer_length <= 0 || footer_length > footer_end - kFileHeaderSize) {
    return Status::Invalid("invalid footer length " + std::to_string(footer_length));
  }
  footer_start_ = footer_end - footer_length;
  QK_ASSIGN_OR_RAISE(std::string_view footer_bytes,
                     source.Read(footer_start_, footer_length, &scratch));
  footer_bytes_ =
      AlignedBytes(reinterpret_cast<const uint8_t*>(footer_bytes.data()), footer_length);
  QK_ASSIGN_OR_RAISE(const fb::Footer* footer, VerifyFooter(footer_bytes_));
  QK_RETURN_NOT_OK(CheckVersion(footer->version()));
  QK_ASSIGN_OR_RAISE(schema_, DecodeSchema(footer->schema()));
  if (footer->dictionaries() != nullptr && footer->dictionaries()->size() > 0) {
    return Status::Invalid("the file has dictionary batches, which quokka does not support");
  }
  if (!Aligned8(footer->record_batches())) return Status::Invalid("misaligned footer blocks");
  blocks_ = footer->record_batches();
  return Status::OK();
}

int64_t IpcFileContents::num_batches() const { return blocks_ ? blocks_->size() : 0; }

Result<Table> IpcFileContents::ReadBatch(Source& source, int64_t index) const {
  const std::string where = "record batch " + std::to_string(index);
  if (index < 0 || index >= num_batches()) {
    return Status::Invalid(where + " does not exist (the file has " +
                           std::to_string(num_batches()) + ")");
  }
  const fb::Block* block = blocks_->Get(static_cast<flatbuffers::uoffset_t>(index));
  const int64_t offset = block->offset();
  const int64_t metadata_length = block->meta_data_length();
  const int64_t body_length = block->body_length();
  if (offset < kFileHeaderSize || metadata_length < 8 || body_length < 0 ||
      offset > footer_start_ || metadata_length > footer_start_ - offset ||
      body_length > footer_start_ - offset - metadata_length) {
    return Status::Invalid(where + ": block [offset " + std::to_string(offset) + ", metadata " +
                           std::to_string(metadata_length) + ", body " +
                           std::to_string(body_length) + "] lies outside the data");
  }
  std::string scratch;
  QK_ASSIGN_OR_RAISE(std::string_view meta, source.Read(offset, metadata_length, &scratch));
  const uint8_t* p = reinterpret_cast<const uint8_t*>(meta.data());
  int64_t start = 4;
  int64_t fb_length = LoadI32(p);
  if (LoadU32(p) == kContinuation) {
    start = 8;
    fb_length = LoadI32(p + 4);
  }
  if (fb_length <= 0 || fb_length > metadata_length - start) {
    return Status::Invalid(where + ": invalid metadata length " + std::to_string(fb_length));
  }
  AlignedBytes metadata(p + start, fb_length);
  auto message = VerifyMessage(metadata);
  if (!message.ok()) return message.status().WithContext(where);
  QK_RETURN_NOT_OK(CheckVersion((*message)->version()));
  const fb::RecordBatch* batch = (*message)->header_as_RecordBatch();
  if (batch == nullptr) {
    return Status::Invalid(where + ": the block does not hold a record batch message");
  }
  int64_t message_body = (*message)->body_length();
  if (message_body < 0 || message_body > body_length) {
    return Status::Invalid(where + ": message body length " + std::to_string(message_body) +
                           " exceeds the block's " + std::to_string(body_length));
  }
  std::string body_scratch;
  QK_ASSIGN_OR_RAISE(std::string_view body,
                     source.Read(offset + metadata_length, message_body, &body_scratch));
  auto table = DecodeRecordBatch(schema_, batch, reinterpret_cast<const uint8_t*>(body.data()),
                                 message_body);
  if (!table.ok()) return table.status().WithContext(where);
  return table;
}

namespace {

Result<std::vector<Table>> ReadAllBatches(Source& source, SchemaPtr* schema) {
  IpcFileContents contents;
  QK_RETURN_NOT_OK(contents.Open(source));
  if (schema != nullptr) *schema = contents.schema().schema;
  std::vector<Table> tables;
  for (int64_t i = 0; i < contents.num_batches(); ++i) {
    QK_ASSIGN_OR_RAISE(Table table, contents.ReadBatch(source, i));
    tables.push_back(std::move(table));
  }
  return tables;
}

}  // namespace
}  // namespace ipc

Result<std::vector<Table>> ReadIpcFileBytes(std::string_view data, SchemaPtr* schema,
                                            const std::string& name) {
  ipc::EnsureRegistered();
  ipc::MemorySource source(data);
  auto tables = ipc::ReadAllBatches(source, schema);
  if (!tables.ok()) return tables.status().WithContext(name);
  return tables;
}

Result<std::vector<Table>> ReadIpcFile(const std::string& path, SchemaPtr* schema) {
  ipc::EnsureRegistered();
  auto source = ipc::FileSource::Open(path);
  if (!source.ok()) return source.status();
  auto tables = ipc::ReadAllBatches(**source, schema);
  if (!tables.ok()) return tables.status().WithContext(path);
  return tables;
}

// ---- Stream format --------------------------------------------------------------------------

Result<std::vector<Table>> ReadIpcStream(std::string_view data, SchemaPtr* schema_out) {
  ipc::EnsureRegistered();
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const int64_t size = static_cast<int64_t>(data.size());
  int64_t pos = 0;
  int64_t index = 0;
  std::optional<ipc::DecodedSchema> schema;
  std::vector<Table> tables;
  for (;; ++index) {
    const std::string where =
        "IPC stream: message " + std::to_string(index) + " at byte " + std::to_string(pos);
    if (size - pos < 4) {
      return Status::Invalid(where +
                             ": the stream ends without an end-of-stream marker "
                             "(truncated?)");
    }
    int64_t length = ipc::LoadI32(bytes + pos);
    int64_t prefix = 4;
    if (ipc::LoadU32(bytes + pos) == ipc::kContinuation) {
      if (size - pos < 8) return Status::Invalid(where + ": truncated message length");
      length = ipc::LoadI32(bytes + pos + 4);
      prefix = 8;
    }
    if (length == 0) break;  // end-of-stream marker
    if (length < 0 || length > size - pos - prefix) {
      return Status::Invalid(where + ": metadata length " + std::to_string(length) +
                             " exceeds the " + std::to_string(size - pos - prefix) +
                             " bytes left (truncated?)");
    }
    ipc::AlignedBytes metadata(bytes + pos + prefix, length);
    pos += prefix + length;
    auto message = ipc::VerifyMessage(metadata);
    if (!message.ok()) return message.status().WithContext(where);
    Status version = ipc::CheckVersion((*message)->version());
    if (!version.ok()) return version.WithContext(where);
    int64_t body_length = (*message)->body_length();
    if (body_length < 0 || body_length > size - pos) {
      return Status::Invalid(where + ": body length " + std::to_string(body_length) +
                             " exceeds the " + std::to_string(size - pos) +
                             " bytes left (truncated?)");
    }
    const uint8_t* body = bytes + pos;
    pos += body_length;
    switch ((*message)->header_type()) {
      case ipc::fb::MessageHeader::Schema: {
        if (schema) return Status::Invalid(where + ": a second schema message");
        auto decoded = ipc::DecodeSchema((*message)->header_as_Schema());
        if (!decoded.ok()) return decoded.status().WithContext(where);
        schema = std::move(*decoded);
        break;
      }
      case ipc::fb::MessageHeader::RecordBatch: {
        if (!schema) return Status::Invalid(where + ": a record batch before the schema");
        auto table =
            ipc::DecodeRecordBatch(*schema, (*message)->header_as_RecordBatch(), body, body_length);
        if (!table.ok()) return table.status().WithContext(where);
        tables.push_back(std::move(*table));
        break;
      }
      case ipc::fb::MessageHeader::DictionaryBatch:
        return Status::Invalid(where + ": dictionary batches are not supported");
      default:
        return Status::Invalid(
            where + ": unsupported message type " +
            std::string(ipc::fb::EnumNameMessageHeader((*message)->header_type())));
    }
  }
  if (!schema) return Status::Invalid("IPC stream: no schema message");
  if (schema_out != nullptr) *schema_out = schema->schema;
  return tables;
}

}  // namespace quokka
