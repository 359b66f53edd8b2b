// Table::ToString: a boxed text table in the style of DuckDB and Polars.
#include <algorithm>
#include <string>
#include <vector>

#include "quokka/table.h"

namespace quokka {
namespace {

constexpr size_t kMaxCellWidth = 32;

// Display width of UTF-8 text: one column per code point.
size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

std::string Truncate(const std::string& text) {
  if (DisplayWidth(text) <= kMaxCellWidth) return text;
  std::string out;
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++width == kMaxCellWidth) break;
    out += text[i];
  }
  return out + "…";
}

std::string Pad(const std::string& text, size_t width, bool right_align) {
  std::string padding(width - std::min(width, DisplayWidth(text)), ' ');
  return right_align ? padding + text : text + padding;
}

std::string Rule(const std::vector<size_t>& widths, const char* left, const char* fill,
                 const char* middle, const char* right) {
  std::string out = left;
  for (size_t c = 0; c < widths.size(); ++c) {
    if (c > 0) out += middle;
    for (size_t i = 0; i < widths[c] + 2; ++i) out += fill;
  }
  return out + right + "\n";
}

}  // namespace

std::string Table::ToString(int64_t max_rows) const {
  if (num_columns() == 0)
    return "(a table with no columns, " + std::to_string(num_rows_) + " rows)\n";
  // Rows to show: all, or the first and last halves around an ellipsis row.
  std::vector<int64_t> rows;
  bool elided = max_rows >= 0 && num_rows_ > max_rows;
  if (!elided) {
    for (int64_t row = 0; row < num_rows_; ++row) rows.push_back(row);
  } else {
    int64_t head = (max_rows + 1) / 2, tail = max_rows / 2;
    for (int64_t row = 0; row < head; ++row) rows.push_back(row);
    rows.push_back(-1);
    for (int64_t row = num_rows_ - tail; row < num_rows_; ++row) rows.push_back(row);
  }
  const int columns = num_columns();
  std::vector<std::vector<std::string>> cells(rows.size(), std::vector<std::string>(columns));
  std::vector<size_t> widths(columns);
  std::vector<bool> right_align(columns);
  for (int c = 0; c < columns; ++c) {
    const Field& field = schema_->field(c);
    right_align[c] = field.type.is_numeric();
    widths[c] = std::max(DisplayWidth(Truncate(field.name)), DisplayWidth(field.type.ToString()));
    for (size_t r = 0; r < rows.size(); ++r) {
      std::string cell = rows[r] < 0 ? "…"
                         : columns_[c]->IsNull(rows[r])
                             ? "null"
                             : Truncate(columns_[c]->ValueToString(rows[r]));
      widths[c] = std::max(widths[c], DisplayWidth(cell));
      cells[r][c] = std::move(cell);
    }
  }
  std::string out = Rule(widths, "┌", "─", "┬", "┐");
  auto line = [&](auto cell_of, bool align) {
    out += "│";
    for (int c = 0; c < columns; ++c) {
      if (c > 0) out += "┆";
      out += " " + Pad(cell_of(c), widths[c], align && right_align[c]) + " ";
    }
    out += "│\n";
  };
  line([&](int c) { return Truncate(schema_->field(c).name); }, false);
  line([&](int c) { return schema_->field(c).type.ToString(); }, false);
  out += Rule(widths, "╞", "═", "╪", "╡");
  for (size_t r = 0; r < rows.size(); ++r) line([&](int c) { return cells[r][c]; }, true);
  out += Rule(widths, "└", "─", "┴", "┘");
  out += std::to_string(num_rows_) + (num_rows_ == 1 ? " row" : " rows") + " × " +
         std::to_string(columns) + (columns == 1 ? " column\n" : " columns\n");
  return out;
}

}  // namespace quokka
