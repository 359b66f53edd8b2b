#include "msgpack_check.h"

#include <cstdint>

namespace quokka::internal {
namespace {

uint64_t ReadBigEndian(const unsigned char* p, int width) {
  uint64_t value = 0;
  for (int i = 0; i < width; ++i) value = (value << 8) | p[i];
  return value;
}

}  // namespace

bool CheckMsgpackValue(std::string_view bytes, size_t offset, size_t* end, std::string* error) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t size = bytes.size();
  size_t pos = offset;
  uint64_t values_left = 1;  // values still to read, including nested elements

  // Skip `width` length bytes plus the payload they announce (plus `extra` fixed bytes).
  auto skip_sized = [&](int width, uint64_t extra) -> bool {
    if (size - pos < static_cast<size_t>(width)) return false;
    uint64_t length = ReadBigEndian(data + pos, width) + extra;
    pos += width;
    if (length > size - pos) return false;
    pos += length;
    return true;
  };
  auto skip = [&](uint64_t count) -> bool {
    if (count > size - pos) return false;
    pos += count;
    return true;
  };
  auto add_elements = [&](uint64_t count) -> bool {
    if (count > size - pos) return false;  // every element takes at least one byte
    values_left += count;
    return true;
  };
  auto container = [&](int width, uint64_t per_entry) -> bool {
    if (size - pos < static_cast<size_t>(width)) return false;
    uint64_t count = ReadBigEndian(data + pos, width);
    pos += width;
    return add_elements(count * per_entry);
  };

  while (values_left > 0) {
    if (pos >= size) {
      *error = "input is truncated";
      return false;
    }
    --values_left;
    const unsigned char tag = data[pos++];
    bool ok = true;
    if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 || tag == 0xc3) {
      // fixint, nil, bool: the tag is the value
    } else if (tag <= 0x8f) {
      ok = add_elements(uint64_t{tag & 0x0fu} * 2);
    } else if (tag <= 0x9f) {
      ok = add_elements(tag & 0x0fu);
    } else if (tag <= 0xbf) {
      ok = skip(tag & 0x1fu);
    } else {
      switch (tag) {
        case 0xc4:
        case 0xd9:
          ok = skip_sized(1, 0);
          break;  // bin8, str8
        case 0xc5:
        case 0xda:
          ok = skip_sized(2, 0);
          break;  // bin16, str16
        case 0xc6:
        case 0xdb:
          ok = skip_sized(4, 0);
          break;  // bin32, str32
        case 0xc7:
          ok = skip_sized(1, 1);
          break;  // ext8 (+ type byte)
        case 0xc8:
          ok = skip_sized(2, 1);
          break;  // ext16
        case 0xc9:
          ok = skip_sized(4, 1);
          break;  // ext32
        case 0xca:
        case 0xce:
        case 0xd2:
          ok = skip(4);
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          ok = skip(8);
          break;
        case 0xcc:
        case 0xd0:
          ok = skip(1);
          break;
        case 0xcd:
        case 0xd1:
          ok = skip(2);
          break;
        case 0xd4:
          ok = skip(2);
          break;  // fixext1
        case 0xd5:
          ok = skip(3);
          break;  // fixext2
        case 0xd6:
          ok = skip(5);
          break;  // fixext4
        case 0xd7:
          ok = skip(9);
          break;  // fixext8
        case 0xd8:
          ok = skip(17);
          break;  // fixext16
        case 0xdc:
          ok = container(2, 1);
          break;
        case 0xdd:
          ok = container(4, 1);
          break;
        case 0xde:
          ok = container(2, 2);
          break;
        case 0xdf:
          ok = container(4, 2);
          break;
        default:
          *error = "invalid MessagePack tag at byte " + std::to_string(pos - 1);
          return false;
      }
    }
    if (!ok) {
      *error = "input is truncated or declares more data than it holds (at byte " +
               std::to_string(pos) + ")";
      return false;
    }
  }
  *end = pos;
  return true;
}

}  // namespace quokka::internal
