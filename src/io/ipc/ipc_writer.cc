// Arrow IPC writing: schema and record batch messages, the stream and file formats, the
// streaming file writer, and the "quokka.table" serialization codec.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "ipc_internal.h"
#include "quokka/serialize.h"

namespace quokka {
namespace ipc {
namespace {

// Frames a finished flatbuffer as continuation marker, padded length, bytes, zero padding.
std::string FrameMetadata(const flatbuffers::FlatBufferBuilder& builder) {
  int64_t size = builder.GetSize();
  int64_t padded = PadTo8(8 + size) - 8;
  std::string out(8 + padded, '\0');
  uint32_t marker = kContinuation;
  int32_t length = static_cast<int32_t>(padded);
  std::memcpy(out.data(), &marker, 4);
  std::memcpy(out.data() + 4, &length, 4);
  std::memcpy(out.data() + 8, builder.GetBufferPointer(), size);
  return out;
}

flatbuffers::Offset<fb::Schema> BuildSchema(flatbuffers::FlatBufferBuilder& b,
                                            const Schema& schema) {
  std::vector<flatbuffers::Offset<fb::Field>> fields;
  fields.reserve(schema.num_fields());
  for (const Field& field : schema.fields()) {
    auto name = b.CreateString(field.name);
    fb::Type type_type = fb::Type::NONE;
    flatbuffers::Offset<void> type;
    const DataType& t = field.type;
    switch (t.id) {
      case TypeId::kBool:
        type_type = fb::Type::Bool;
        type = fb::CreateBool(b).Union();
        break;
      case TypeId::kInt8:
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64:
        type_type = fb::Type::Int;
        type = fb::CreateInt(b, t.byte_width() * 8, true).Union();
        break;
      case TypeId::kFloat64:
        type_type = fb::Type::FloatingPoint;
        type = fb::CreateFloatingPoint(b, fb::Precision::DOUBLE).Union();
        break;
      case TypeId::kDecimal:
        type_type = fb::Type::Decimal;
        type = fb::CreateDecimal(b, t.precision, t.scale, 128).Union();
        break;
      case TypeId::kUtf8:
        type_type = fb::Type::Utf8;
        type = fb::CreateUtf8(b).Union();
        break;
      case TypeId::kDate32:
        type_type = fb::Type::Date;
        type = fb::CreateDate(b, fb::DateUnit::DAY).Union();
        break;
      case TypeId::kTimestamp: {
        static constexpr fb::TimeUnit kUnits[] = {fb::TimeUnit::SECOND, fb::TimeUnit::MILLISECOND,
                                                  fb::TimeUnit::MICROSECOND,
                                                  fb::TimeUnit::NANOSECOND};
        type_type = fb::Type::Timestamp;
        type = fb::CreateTimestamp(b, kUnits[static_cast<int>(t.unit) & 3]).Union();
        break;
      }
    }
    auto children = b.CreateVector(std::vector<flatbuffers::Offset<fb::Field>>{});
    fields.push_back(fb::CreateField(b, name, field.nullable, type_type, type, 0, children));
  }
  auto field_vector = b.CreateVector(fields);
  return fb::CreateSchema(b, fb::Endianness::Little, field_vector);
}

// Appends the buffers of one record batch to a body, each padded to 8 bytes.
class BodyWriter {
 public:
  // Reserve `length` bytes for a buffer and return where to write them.
  uint8_t* Add(int64_t length) {
    int64_t offset = static_cast<int64_t>(body_.size());
    buffers_.emplace_back(offset, length);
    body_.resize(offset + PadTo8(length), '\0');
    return reinterpret_cast<uint8_t*>(body_.data()) + offset;
  }
  void AddCopy(const void* data, int64_t length) {
    uint8_t* out = Add(length);
    if (length > 0) std::memcpy(out, data, length);
  }
  void AddEmpty() { Add(0); }
  std::string& body() { return body_; }
  const std::vector<fb::Buffer>& buffers() const { return buffers_; }

 private:
  std::string body_;
  std::vector<fb::Buffer> buffers_;
};

// Copy `length` bits starting at bit `offset` of `src` to bit 0 of `dst` (zero-filled).
void CopyBits(const uint8_t* src, int64_t offset, int64_t length, uint8_t* dst) {
  if (length == 0) return;
  if (offset % 8 == 0) {
    int64_t bytes = (length + 7) / 8;
    std::memcpy(dst, src + offset / 8, bytes);
    if (length % 8 != 0) dst[bytes - 1] &= static_cast<uint8_t>((1u << (length % 8)) - 1);
    return;
  }
  for (int64_t i = 0; i < length; ++i) {
    if (GetBit(src, offset + i)) SetBit(dst, i);
  }
}

int64_t CountNulls(const Column& column) {
  if (column.validity() == nullptr) return 0;
  int64_t nulls = 0;
  const uint8_t* bits = column.validity()->data();
  for (int64_t i = 0; i < column.length(); ++i) nulls += !GetBit(bits, column.offset() + i);
  return nulls;
}

void WriteColumn(const Column& column, int64_t null_count, BodyWriter& out) {
  const int64_t length = column.length();
  const int64_t offset = column.offset();
  if (null_count > 0) {
    CopyBits(column.validity()->data(), offset, length, out.Add((length + 7) / 8));
  } else {
    out.AddEmpty();
  }
  const DataType& type = column.type();
  if (length == 0) {  // the column's buffers may be absent: write empty ones
    if (type.id == TypeId::kUtf8) out.Add(4);  // one zero offset
    out.AddEmpty();
    return;
  }
  switch (type.id) {
    case TypeId::kBool:
      CopyBits(column.values_buffer()->data(), offset, length, out.Add((length + 7) / 8));
      break;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kFloat64:
    case TypeId::kDate32:
    case TypeId::kTimestamp: {
      int width = type.byte_width();
      out.AddCopy(column.values_buffer()->data() + offset * width, length * width);
      break;
    }
    case TypeId::kDecimal: {
      const int64_t* values = column.values<int64_t>();
      uint8_t* dst = out.Add(length * 16);
      for (int64_t i = 0; i < length; ++i) {
        int64_t low = values[i];
        int64_t high = low < 0 ? -1 : 0;
        std::memcpy(dst + i * 16, &low, 8);
        std::memcpy(dst + i * 16 + 8, &high, 8);
      }
      break;
    }
    case TypeId::kUtf8: {
      const int32_t* offsets =
          reinterpret_cast<const int32_t*>(column.offsets_buffer()->data()) + offset;
      int32_t first = offsets[0];
      int32_t last = offsets[length];
      uint8_t* dst = out.Add((length + 1) * 4);
      for (int64_t i = 0; i <= length; ++i) {
        int32_t rebased = offsets[i] - first;
        std::memcpy(dst + i * 4, &rebased, 4);
      }
      out.AddCopy(column.values_buffer()->data() + first, last - first);
      break;
    }
  }
}

}  // namespace

EncodedMessage EncodeSchemaMessage(const Schema& schema) {
  flatbuffers::FlatBufferBuilder b(1024);
  auto schema_offset = BuildSchema(b, schema);
  auto message = fb::CreateMessage(b, fb::MetadataVersion::V5, fb::MessageHeader::Schema,
                                   schema_offset.Union(), 0);
  b.Finish(message);
  return EncodedMessage{FrameMetadata(b), std::string()};
}

Status CheckSchemas(const Schema& schema, const std::vector<Table>& tables) {
  for (size_t i = 0; i < tables.size(); ++i) {
    const SchemaPtr& other = tables[i].schema();
    bool equal = other ? other->Equals(schema) : schema.num_fields() == 0;
    if (!equal) {
      return Status::Invalid("table " + std::to_string(i) + " has schema " +
                             (other ? other->ToString() : std::string("<none>")) + ", expected " +
                             schema.ToString());
    }
  }
  return Status::OK();
}

Result<EncodedMessage> EncodeRecordBatchMessage(const Schema& schema, const Table& table) {
  if (table.num_columns() != schema.num_fields()) {
    return Status::Invalid("table has " + std::to_string(table.num_columns()) +
                           " columns, schema has " + std::to_string(schema.num_fields()));
  }
  BodyWriter body;
  std::vector<fb::FieldNode> nodes;
  nodes.reserve(table.num_columns());
  for (int i = 0; i < table.num_columns(); ++i) {
    const Column& column = *table.column(i);
    if (column.type() != schema.field(i).type) {
      return Status::Invalid("column '" + schema.field(i).name + "' has type " +
                             column.type().ToString() + ", schema says " +
                             schema.field(i).type.ToString());
    }
    if (column.length() != table.num_rows()) {
      return Status::Invalid("column '" + schema.field(i).name + "' has " +
                             std::to_string(column.length()) + " rows, the table " +
                             std::to_string(table.num_rows()));
    }
    int64_t null_count = CountNulls(column);
    nodes.emplace_back(column.length(), null_count);
    WriteColumn(column, null_count, body);
  }
  flatbuffers::FlatBufferBuilder b(256 + 48 * nodes.size());
  auto node_vector = b.CreateVectorOfStructs(nodes);
  auto buffer_vector = b.CreateVectorOfStructs(body.buffers());
  auto batch = fb::CreateRecordBatch(b, table.num_rows(), node_vector, buffer_vector);
  int64_t body_length = static_cast<int64_t>(body.body().size());
  auto message = fb::CreateMessage(b, fb::MetadataVersion::V5, fb::MessageHeader::RecordBatch,
                                   batch.Union(), body_length);
  b.Finish(message);
  return EncodedMessage{FrameMetadata(b), std::move(body.body())};
}

std::string EndOfStreamMarker() {
  std::string out(8, '\0');
  uint32_t marker = kContinuation;
  std::memcpy(out.data(), &marker, 4);
  return out;
}

std::string EncodeFooter(const Schema& schema, const std::vector<IpcFileWriter::Block>& blocks) {
  flatbuffers::FlatBufferBuilder b(1024);
  auto schema_offset = BuildSchema(b, schema);
  std::vector<fb::Block> fb_blocks;
  fb_blocks.reserve(blocks.size());
  for (const auto& block : blocks) {
    fb_blocks.emplace_back(block.offset, block.metadata_length, block.body_length);
  }
  auto dictionaries = b.CreateVectorOfStructs(std::vector<fb::Block>{});
  auto batches = b.CreateVectorOfStructs(fb_blocks);
  auto footer = fb::CreateFooter(b, fb::MetadataVersion::V5, schema_offset, dictionaries, batches);
  b.Finish(footer);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

}  // namespace ipc

namespace {

SchemaPtr SchemaOf(const Table& table) {
  return table.schema() ? table.schema() : std::make_shared<const Schema>(std::vector<Field>{});
}

}  // namespace

// ---- Stream format --------------------------------------------------------------------------

Result<std::string> WriteIpcStream(const std::vector<Table>& tables) {
  if (tables.empty()) {
    return Status::Invalid("WriteIpcStream: no tables, so no schema; pass the schema explicitly");
  }
  return WriteIpcStream(SchemaOf(tables[0]), tables);
}

Result<std::string> WriteIpcStream(const SchemaPtr& schema, const std::vector<Table>& tables) {
  ipc::EnsureRegistered();
  if (schema == nullptr) return Status::Invalid("WriteIpcStream: null schema");
  Status status = ipc::CheckSchemas(*schema, tables);
  if (!status.ok()) return status.WithContext("WriteIpcStream");
  std::string out = ipc::EncodeSchemaMessage(*schema).metadata;
  for (size_t i = 0; i < tables.size(); ++i) {
    auto message = ipc::EncodeRecordBatchMessage(*schema, tables[i]);
    if (!message.ok()) {
      return message.status().WithContext("WriteIpcStream: table " + std::to_string(i));
    }
    out += message->metadata;
    out += message->body;
  }
  out += ipc::EndOfStreamMarker();
  return out;
}

// ---- File format ----------------------------------------------------------------------------

Result<std::string> WriteIpcFileBytes(const SchemaPtr& schema, const std::vector<Table>& tables) {
  ipc::EnsureRegistered();
  if (schema == nullptr) return Status::Invalid("WriteIpcFileBytes: null schema");
  QK_RETURN_NOT_OK(ipc::CheckSchemas(*schema, tables));
  std::string out(ipc::kMagic, ipc::kMagicSize);
  out.append(2, '\0');
  out += ipc::EncodeSchemaMessage(*schema).metadata;
  std::vector<IpcFileWriter::Block> blocks;
  for (const Table& table : tables) {
    QK_ASSIGN_OR_RAISE(ipc::EncodedMessage message, ipc::EncodeRecordBatchMessage(*schema, table));
    blocks.push_back({static_cast<int64_t>(out.size()),
                      static_cast<int32_t>(message.metadata.size()),
                      static_cast<int64_t>(message.body.size())});
    out += message.metadata;
    out += message.body;
  }
  out += ipc::EndOfStreamMarker();
  std::string footer = ipc::EncodeFooter(*schema, blocks);
  out += footer;
  int32_t footer_length = static_cast<int32_t>(footer.size());
  out.append(reinterpret_cast<const char*>(&footer_length), 4);
  out.append(ipc::kMagic, ipc::kMagicSize);
  return out;
}

Status WriteIpcFile(const std::string& path, const std::vector<Table>& tables) {
  if (tables.empty()) {
    return Status::Invalid(path + ": WriteIpcFile: no tables, so no schema; pass the schema");
  }
  return WriteIpcFile(path, SchemaOf(tables[0]), tables);
}

Status WriteIpcFile(const std::string& path, const SchemaPtr& schema,
                    const std::vector<Table>& tables) {
  if (schema == nullptr) return Status::Invalid(path + ": WriteIpcFile: null schema");
  Status status = ipc::CheckSchemas(*schema, tables);
  if (!status.ok()) return status.WithContext(path);
  IpcFileWriter writer;
  QK_RETURN_NOT_OK(writer.Open(path, schema));
  for (const Table& table : tables) {
    status = writer.Write(table);
    if (!status.ok()) {
      (void)writer.Close();
      return status;
    }
  }
  return writer.Close();
}

IpcFileWriter::~IpcFileWriter() {
  if (file_ != nullptr && schema_ != nullptr) (void)Close();
  // Without a schema nothing valid can be written: the file is dropped (S3: upload aborted).
}

Status IpcFileWriter::Open(const std::string& path, SchemaPtr schema) {
  ipc::EnsureRegistered();
  if (file_ != nullptr)
    return Status::Invalid(path + ": IpcFileWriter is already open on " + path_);
  QK_ASSIGN_OR_RAISE(file_, OpenOutputFile(path));
  path_ = path;
  schema_ = std::move(schema);
  header_written_ = false;
  position_ = 0;
  blocks_.clear();
  return Status::OK();
}

Status IpcFileWriter::Append(std::string_view bytes) {
  if (!bytes.empty()) QK_RETURN_NOT_OK(file_->Write(bytes));
  position_ += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

Status IpcFileWriter::WriteHeader() {
  std::string header(ipc::kMagic, ipc::kMagicSize);
  header.append(2, '\0');
  header += ipc::EncodeSchemaMessage(*schema_).metadata;
  QK_RETURN_NOT_OK(Append(header));
  header_written_ = true;
  return Status::OK();
}

Status IpcFileWriter::Write(const Table& table) {
  if (file_ == nullptr) return Status::Invalid("IpcFileWriter::Write before Open");
  if (schema_ == nullptr) schema_ = SchemaOf(table);
  Status status = ipc::CheckSchemas(*schema_, {table});
  if (!status.ok()) return status.WithContext(path_);
  auto message = ipc::EncodeRecordBatchMessage(*schema_, table);
  if (!message.ok()) return message.status().WithContext(path_);
  if (!header_written_) QK_RETURN_NOT_OK(WriteHeader());
  Block block{position_, static_cast<int32_t>(message->metadata.size()),
              static_cast<int64_t>(message->body.size())};
  QK_RETURN_NOT_OK(Append(message->metadata));
  QK_RETURN_NOT_OK(Append(message->body));
  blocks_.push_back(block);
  return Status::OK();
}

Status IpcFileWriter::Close() {
  if (file_ == nullptr) return Status::Invalid("IpcFileWriter::Close: not open");
  Status status;
  if (schema_ == nullptr) {
    status = Status::Invalid(path_ +
                             ": IpcFileWriter closed with no schema (nothing written and "
                             "no schema given to Open)");
  } else {
    if (!header_written_) status = WriteHeader();
    if (status.ok()) status = Append(ipc::EndOfStreamMarker());
    if (status.ok()) {
      std::string footer = ipc::EncodeFooter(*schema_, blocks_);
      int32_t footer_length = static_cast<int32_t>(footer.size());
      footer.append(reinterpret_cast<const char*>(&footer_length), 4);
      footer.append(ipc::kMagic, ipc::kMagicSize);
      status = Append(footer);
    }
  }
  if (status.ok()) {
    status = file_->Close();
  }  // else: dropping the writer leaves a partial local file, and aborts an S3 upload
  file_.reset();
  return status;
}

// ---- Registration ---------------------------------------------------------------------------

namespace {

void EncodeTable(const Table& table, Encoder& out) {
  auto bytes = WriteIpcStream({table});
  ThrowIfError(bytes.status());
  out.Binary(*bytes);
}

Table DecodeTable(Decoder& in) {
  std::string bytes = in.Binary();
  SchemaPtr schema;
  auto tables = ReadIpcStream(bytes, &schema);
  if (!tables.ok()) throw Error(tables.status().WithContext("decoding quokka.table"));
  if (tables->size() > 1) {
    throw Error(Status::Invalid("decoding quokka.table: the IPC stream holds " +
                                std::to_string(tables->size()) + " record batches, expected 1"));
  }
  if (schema->num_fields() == 0 && (tables->empty() || (*tables)[0].num_rows() == 0)) {
    return Table();
  }
  if (tables->empty()) return Table::Empty(schema);
  return std::move((*tables)[0]);
}

Status RegisterAll() {
  QK_RETURN_NOT_OK(RegisterType<Table>("quokka.table", EncodeTable, DecodeTable));
  return RegisterType<IpcFileReader>(
      "quokka.ipc_file_reader",
      [](const IpcFileReader& reader, Encoder& out) { reader.Encode(out); },
      [](Decoder& in) { return IpcFileReader::Decode(in); });
}

const Status kRegistered = RegisterAll();

}  // namespace

Status RegisterIpcTypes() {
  static std::once_flag once;
  static Status status;
  std::call_once(once, [] { status = kRegistered.ok() ? RegisterAll() : kRegistered; });
  return status;
}

void ipc::EnsureRegistered() { (void)RegisterIpcTypes(); }

}  // namespace quokka
