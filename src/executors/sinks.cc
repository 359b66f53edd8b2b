// Sinks that write a stream of tables to files, one file per channel.
#include <filesystem>
#include <sstream>

#include "quokka/executors.h"
#include "quokka/filesystem.h"
#include "quokka/ipc.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

namespace {

// "DIR/part-C.EXT" for a local directory (created) or an S3 prefix (quokka/filesystem.h).
std::string PartPath(const std::string& directory, int channel, const char* extension) {
  if (!IsS3Path(directory)) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) {
      throw Error(Status::IOError("cannot create directory " + directory + ": " + error.message()));
    }
  }
  return JoinPath(directory, "part-" + std::to_string(channel) + extension);
}

const Table& SinkTable(const Object& object, const char* who) {
  const Table* table = object.GetIf<Table>();
  if (table == nullptr) {
    throw Error(Status::TypeError(std::string(who) + " writes tables, got " + object.type_name()));
  }
  return *table;
}

}  // namespace

struct CsvSink::State {
  std::string path;
  std::unique_ptr<OutputFile> file;
  bool header_written = false;
  std::ostringstream text;  // one batch as CSV, then handed to the file
  void Open(const std::string& directory, int channel) {
    path = PartPath(directory, channel, ".csv");
    Result<std::unique_ptr<OutputFile>> opened = OpenOutputFile(path);
    ThrowIfError(opened.status());
    file = std::move(*opened);
  }
};

CsvSink::CsvSink(std::string directory, CsvWriteOptions options)
    : directory_(std::move(directory)), options_(options), state_(std::make_unique<State>()) {}
CsvSink::CsvSink(const CsvSink& other)
    : directory_(other.directory_), options_(other.options_), state_(std::make_unique<State>()) {}
CsvSink::~CsvSink() = default;

void CsvSink::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  State& s = *state_;
  if (s.file == nullptr) s.Open(directory_, channel);
  for (const Object& object : batches) {
    CsvWriteOptions options = options_;
    options.header = options_.header && !s.header_written;
    s.text.str(std::string());
    ThrowIfError(
        WriteCsv(SinkTable(object, "CsvSink"), s.text, options).WithContext("writing " + s.path));
    s.header_written = true;
    ThrowIfError(s.file->Write(s.text.view()));
  }
}

void CsvSink::Done(int channel, Output& out) {
  State& s = *state_;
  if (s.file == nullptr) s.Open(directory_, channel);
  ThrowIfError(s.file->Close());
  s.file.reset();
  out.Emit(Object(s.path));
}

struct IpcSink::State {
  std::string path;
  IpcFileWriter writer;
};

IpcSink::IpcSink(std::string directory)
    : directory_(std::move(directory)), state_(std::make_unique<State>()) {}
IpcSink::IpcSink(const IpcSink& other)
    : directory_(other.directory_), state_(std::make_unique<State>()) {}
IpcSink::~IpcSink() = default;

void IpcSink::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  State& s = *state_;
  for (const Object& object : batches) {
    const Table& table = SinkTable(object, "IpcSink");
    if (!s.writer.is_open()) {
      s.path = PartPath(directory_, channel, ".arrow");
      ThrowIfError(s.writer.Open(s.path, table.schema()));
    }
    ThrowIfError(s.writer.Write(table));
  }
}

void IpcSink::Done(int channel, Output& out) {
  State& s = *state_;
  if (!s.writer.is_open()) return;  // no table, no schema: nothing to write
  ThrowIfError(s.writer.Close());
  out.Emit(Object(s.path));
}

}  // namespace quokka
