#include <cstdlib>
#include <cstring>
#include <new>

#include "quokka/column.h"

namespace quokka {
namespace {
constexpr int64_t kAlignment = 64;
int64_t Padded(int64_t size) { return (size + kAlignment - 1) / kAlignment * kAlignment; }
}  // namespace

std::shared_ptr<Buffer> Buffer::Allocate(int64_t size) {
  if (size < 0) size = 0;
  const int64_t padded = Padded(size == 0 ? 1 : size);
  void* data = std::aligned_alloc(kAlignment, static_cast<size_t>(padded));
  if (data == nullptr) throw std::bad_alloc();
  // Zero the padding so bitmaps and hashes never see garbage past the end.
  if (padded > size) std::memset(static_cast<uint8_t*>(data) + size, 0, padded - size);
  return std::shared_ptr<Buffer>(new Buffer(static_cast<uint8_t*>(data), size));
}

std::shared_ptr<Buffer> Buffer::Copy(const void* data, int64_t size) {
  auto buffer = Allocate(size);
  if (size > 0) std::memcpy(buffer->mutable_data(), data, static_cast<size_t>(size));
  return buffer;
}

Buffer::~Buffer() { std::free(data_); }

}  // namespace quokka
