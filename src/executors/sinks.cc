// Sinks that write a stream of tables to files, one file per channel.
#include <filesystem>
#include <fstream>

#include "quokka/executors.h"
#include "quokka/ipc.h"

namespace quokka {
namespace {
// Shippable in every program that uses this executor (register.cc).
const bool kTypesRegistered = RegisterExecutorTypes().ok();
}  // namespace

namespace {

std::string PartPath(const std::string& directory, int channel, const char* extension) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw Error(Status::IOError("cannot create directory " + directory + ": " + error.message()));
  }
  return (std::filesystem::path(directory) / ("part-" + std::to_string(channel) + extension))
      .string();
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
  std::ofstream file;
  bool header_written = false;
};

CsvSink::CsvSink(std::string directory, CsvWriteOptions options)
    : directory_(std::move(directory)), options_(options), state_(std::make_unique<State>()) {}
CsvSink::CsvSink(const CsvSink& other)
    : directory_(other.directory_), options_(other.options_), state_(std::make_unique<State>()) {}
CsvSink::~CsvSink() = default;

void CsvSink::Execute(ObjectList& batches, int stream_id, int channel, Output& out) {
  State& s = *state_;
  if (!s.file.is_open()) {
    s.path = PartPath(directory_, channel, ".csv");
    s.file.open(s.path, std::ios::binary | std::ios::trunc);
    if (!s.file) throw Error(Status::IOError("cannot write " + s.path));
  }
  for (const Object& object : batches) {
    CsvWriteOptions options = options_;
    options.header = options_.header && !s.header_written;
    ThrowIfError(
        WriteCsv(SinkTable(object, "CsvSink"), s.file, options).WithContext("writing " + s.path));
    s.header_written = true;
  }
  if (!s.file) throw Error(Status::IOError("write failed: " + s.path));
}

void CsvSink::Done(int channel, Output& out) {
  State& s = *state_;
  if (!s.file.is_open()) {
    s.path = PartPath(directory_, channel, ".csv");
    s.file.open(s.path, std::ios::binary | std::ios::trunc);
  }
  s.file.close();
  if (!s.file) throw Error(Status::IOError("write failed: " + s.path));
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
