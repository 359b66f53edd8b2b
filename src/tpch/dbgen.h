#pragma once
// The TPC-H data generator (private to src/tpch, the CLI and the tests).
//
// Every row is a pure function of (seed, table, row index): each row draws its values from its
// own SplitMix64 stream seeded by hashing those three numbers, so any row range can be
// generated on its own. That makes the output deterministic for a seed whatever the thread
// count and the --files split (file k of N holds a contiguous row range, so concatenating the
// files in order gives the same bytes for every N). Orders and their lineitems come from one
// stream (o_totalprice and o_orderstatus depend on the lines), parts and their four partsupp
// rows are generated together.
//
// Rows are written in the dbgen .tbl layout: fields separated by '|', a '|' after the last
// field, '\n' at the end, no header. See docs/tpch.md for the rules and known deviations.
// Thread safety: a TpchContext is immutable after Make and may be shared by any threads; the
// Append* functions only write to their output strings.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quokka/status.h"
#include "quokka/type.h"

namespace quokka::tpch {

enum class TpchTable : int {
  kRegion = 0,
  kNation,
  kSupplier,
  kCustomer,
  kPart,
  kPartSupp,
  kOrders,
  kLineitem,
};
inline constexpr int kNumTpchTables = 8;

/// \brief "region", "nation", ..., "lineitem" (the .tbl base names).
const char* TpchTableName(TpchTable table);
/// \brief All eight tables in generation order.
const std::vector<TpchTable>& AllTpchTables();

struct TpchColumn {
  std::string name;
  DataType type;
};
/// \brief Column names and types in file order: keys int64, other integers int32, money and
///        quantities decimal(15,2), dates date32, text utf8.
const std::vector<TpchColumn>& TpchColumns(TpchTable table);

/// \brief Smallest and largest supported scale factor.
inline constexpr double kMinScaleFactor = 0.01;
inline constexpr double kMaxScaleFactor = 1000;
/// \brief Invalid (naming --sf) unless kMinScaleFactor <= sf <= kMaxScaleFactor.
Status ValidateScaleFactor(double sf);

/// \brief The fixed dates of the specification, as days since 1970-01-01.
int32_t StartDate();    ///< 1992-01-01
int32_t EndDate();      ///< 1998-12-31
int32_t CurrentDate();  ///< 1995-06-17

/// \brief The order key of the 0-based order `index`: only the first 8 of every 32 keys.
inline int64_t OrderKeyOfIndex(int64_t index) { return (index / 8) * 32 + index % 8 + 1; }
/// \brief P_RETAILPRICE in cents: 90000 + ((key / 10) mod 20001) + 100 * (key mod 1000).
inline int64_t RetailPriceCents(int64_t partkey) {
  return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}
/// \brief The i-th (0..3) supplier of a part: (key + i * (S/4 + (key-1)/S)) mod S + 1.
inline int64_t PartSupplier(int64_t partkey, int i, int64_t suppliers) {
  return (partkey + i * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1;
}

/// \brief Everything shared by all rows of one generation: counts and the text pool.
class TpchContext {
 public:
  /// \brief Text pool size used by the CLI (the specification asks for 300 MB).
  static constexpr int64_t kDefaultTextPoolBytes = int64_t{32} << 20;

  /// \brief Validates `sf` and builds the text pool from `seed`.
  static Result<std::shared_ptr<const TpchContext>> Make(
      double sf, uint64_t seed, int64_t text_pool_bytes = kDefaultTextPoolBytes);

  double scale_factor() const { return sf_; }
  uint64_t seed() const { return seed_; }
  int64_t suppliers() const { return suppliers_; }
  int64_t customers() const { return customers_; }
  int64_t parts() const { return parts_; }
  int64_t partsupps() const { return parts_ * 4; }
  int64_t orders() const { return orders_; }
  int64_t clerks() const { return clerks_; }
  /// \brief Rows of `table` (for lineitem: the number of orders, whose lines are 1..7 each).
  int64_t GeneratorRows(TpchTable table) const;
  /// \brief The pseudo-text pool built from the grammar (no '|' and no line breaks).
  std::string_view text_pool() const { return pool_; }
  /// \brief 0 = plain comment, 1 = holds "Customer...Complaints", 2 = "Customer...Recommends".
  int SupplierCommentKind(int64_t suppkey) const;

  /// \brief The base of the per-row random streams of `table`.
  uint64_t StreamBase(TpchTable table) const { return stream_base_[static_cast<int>(table)]; }

 private:
  TpchContext() = default;
  double sf_ = 0;
  uint64_t seed_ = 0;
  int64_t suppliers_ = 0, customers_ = 0, parts_ = 0, orders_ = 0, clerks_ = 0;
  std::string pool_;
  std::vector<int64_t> complaints_, recommends_;  // sorted suppkeys
  uint64_t stream_base_[kNumTpchTables] = {};
};

// Row generators: append the .tbl lines of 0-based rows [begin, end) to `out`.
void AppendRegion(const TpchContext& context, std::string* out);
void AppendNation(const TpchContext& context, std::string* out);
void AppendSuppliers(const TpchContext& context, int64_t begin, int64_t end, std::string* out);
void AppendCustomers(const TpchContext& context, int64_t begin, int64_t end, std::string* out);
/// \brief Parts [begin, end) to `part` and their 4 partsupp rows each to `partsupp` (either
///        may be null).
void AppendParts(const TpchContext& context, int64_t begin, int64_t end, std::string* part,
                 std::string* partsupp);
/// \brief Orders [begin, end) (0-based order indices, not keys) to `orders` and their lines to
///        `lineitem` (either may be null). Returns the number of lineitem rows.
int64_t AppendOrders(const TpchContext& context, int64_t begin, int64_t end, std::string* orders,
                     std::string* lineitem);

/// \brief What `quokka tpch gen` asks for.
struct TpchGenOptions {
  double scale_factor = 1;
  std::string out_dir;
  /// Files per large table (supplier, customer, part, partsupp, orders, lineitem): 1 writes
  /// DIR/<table>.tbl, N > 1 writes DIR/<table>/part-<k>.tbl, k = 1..N zero-padded to the width
  /// of N (name order is row order). region and nation are always one file.
  int files = 1;
  uint64_t seed = 1;
  /// Worker threads; 0 = the machine's cores. Does not change the output.
  int threads = 0;
  int64_t text_pool_bytes = TpchContext::kDefaultTextPoolBytes;
};
inline constexpr int kMaxTpchFiles = 4096;

/// \brief What was written, per table.
struct TpchTableReport {
  TpchTable table;
  std::vector<std::string> paths;
  int64_t rows = 0;
  int64_t bytes = 0;
};
struct TpchGenReport {
  std::vector<TpchTableReport> tables;  ///< in AllTpchTables() order
  double seconds = 0;
};

/// \brief The files of `table` for a split into `files` (see TpchGenOptions::files).
std::vector<std::string> TpchOutputPaths(const std::string& out_dir, TpchTable table, int files);
/// \brief What a reader should be given for `table` in `out_dir` written with `files` files:
///        DIR/<table>.tbl or the directory DIR/<table>.
std::string TpchReaderInput(const std::string& out_dir, TpchTable table, int files);

/// \brief Generate all eight tables into options.out_dir (created if missing). Removes stale
///        files of the other layout (DIR/<table>.tbl or DIR/<table>/part-*.tbl) first.
Status GenerateTpch(const TpchGenOptions& options, TpchGenReport* report = nullptr);

}  // namespace quokka::tpch
