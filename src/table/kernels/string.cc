// String predicate kernels: starts_with, ends_with, contains and SQL LIKE.
#include <string.h>  // memmem

#include <vector>

#include "kernels/util.h"

namespace quokka::compute {
using namespace internal;

namespace {

template <typename Pred>
Result<ColumnPtr> StringPredicate(const ColumnPtr& input, const char* what, Pred&& pred) {
  if (input->type().id != TypeId::kUtf8) {
    return Status::TypeError(std::string(what) + " needs a utf8 column, got " +
                             input->type().ToString());
  }
  StringView view(*input);
  return MakeBoolColumn(input->length(), ZeroOffsetValidity(*input),
                        [&](int64_t i) { return pred(view[i]); });
}

inline bool Find(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (haystack.size() < needle.size()) return false;
  return memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

inline size_t CharLength(unsigned char lead) {
  if (lead < 0xC0) return 1;  // ASCII, or a stray continuation byte
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Classic single-backtrack wildcard matching: '%' any run, '_' one UTF-8 character.
bool LikeGeneral(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
    } else if (pi < p.size() && p[pi] == '_') {
      si = std::min(s.size(), si + CharLength(static_cast<unsigned char>(s[si])));
      ++pi;
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++si;
      ++pi;
    } else if (star_p != std::string_view::npos) {
      pi = star_p;
      star_s = std::min(s.size(), star_s + CharLength(static_cast<unsigned char>(s[star_s])));
      si = star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

// A pattern of literals and '%': the first piece is a prefix, the last a suffix, the middle
// ones must occur in order in between.
struct Pieces {
  std::vector<std::string> pieces;
  bool operator()(std::string_view s) const {
    const std::string& first = pieces.front();
    const std::string& last = pieces.back();
    if (s.size() < first.size() + last.size()) return false;
    if (s.compare(0, first.size(), first) != 0) return false;
    if (s.compare(s.size() - last.size(), last.size(), last) != 0) return false;
    size_t pos = first.size();
    const size_t end = s.size() - last.size();
    for (size_t k = 1; k + 1 < pieces.size(); ++k) {
      const std::string& piece = pieces[k];
      if (piece.empty()) continue;
      if (end - pos < piece.size()) return false;
      const void* hit = memmem(s.data() + pos, end - pos, piece.data(), piece.size());
      if (hit == nullptr) return false;
      pos = static_cast<size_t>(static_cast<const char*>(hit) - s.data()) + piece.size();
    }
    return true;
  }
};

}  // namespace

Result<ColumnPtr> StartsWith(const ColumnPtr& input, std::string_view prefix) {
  return StringPredicate(input, "starts_with", [prefix](std::string_view s) {
    return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
  });
}

Result<ColumnPtr> EndsWith(const ColumnPtr& input, std::string_view suffix) {
  return StringPredicate(input, "ends_with", [suffix](std::string_view s) {
    return s.size() >= suffix.size() &&
           std::memcmp(s.data() + s.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
  });
}

Result<ColumnPtr> Contains(const ColumnPtr& input, std::string_view needle) {
  return StringPredicate(input, "contains",
                         [needle](std::string_view s) { return Find(s, needle); });
}

Result<ColumnPtr> Like(const ColumnPtr& input, std::string_view pattern) {
  if (pattern.find('_') != std::string_view::npos) {
    return StringPredicate(input, "like",
                           [pattern](std::string_view s) { return LikeGeneral(s, pattern); });
  }
  Pieces split;
  size_t start = 0;
  while (true) {
    size_t pos = pattern.find('%', start);
    split.pieces.emplace_back(pattern.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  const std::vector<std::string>& p = split.pieces;
  if (p.size() == 1) {
    return StringPredicate(input, "like", [pattern](std::string_view s) { return s == pattern; });
  }
  bool middle_empty = true;
  for (size_t k = 1; k + 1 < p.size(); ++k) middle_empty &= p[k].empty();
  if (middle_empty && p.back().empty()) return StartsWith(input, p.front());  // 'abc%'
  if (middle_empty && p.front().empty()) return EndsWith(input, p.back());    // '%abc'
  if (p.size() == 3 && p.front().empty() && p.back().empty()) {
    return Contains(input, p[1]);  // '%abc%'
  }
  return StringPredicate(input, "like", split);  // '%a%b%', 'a%b', ...
}

}  // namespace quokka::compute
