// TPC-H rows: word lists, the text pool, per-row random streams and the eight row generators.
// The rules follow the TPC-H specification, clause 4.2 (Database population); see
// docs/tpch.md for the deviations.
#include "dbgen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "quokka/table.h"

namespace quokka::tpch {
namespace {

// ---------------------------------------------------------------------------------------------
// Fixed lists of the specification (data, clause 4.2.2.13 and 4.2.3).

struct Nation {
  const char* name;
  int region;
};
constexpr Nation kNations[25] = {
    {"ALGERIA", 0},      {"ARGENTINA", 1}, {"BRAZIL", 1}, {"CANADA", 1},
    {"EGYPT", 4},        {"ETHIOPIA", 0},  {"FRANCE", 3}, {"GERMANY", 3},
    {"INDIA", 2},        {"INDONESIA", 2}, {"IRAN", 4},   {"IRAQ", 4},
    {"JAPAN", 2},        {"JORDAN", 4},    {"KENYA", 0},  {"MOROCCO", 0},
    {"MOZAMBIQUE", 0},   {"PERU", 1},      {"CHINA", 2},  {"ROMANIA", 3},
    {"SAUDI ARABIA", 4}, {"VIETNAM", 2},   {"RUSSIA", 3}, {"UNITED KINGDOM", 3},
    {"UNITED STATES", 1}};
constexpr const char* kRegions[5] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};

constexpr const char* kColors[] = {
    "almond",   "antique",   "aquamarine", "azure",      "beige",     "bisque",    "black",
    "blanched", "blue",      "blush",      "brown",      "burlywood", "burnished", "chartreuse",
    "chiffon",  "chocolate", "coral",      "cornflower", "cornsilk",  "cream",     "cyan",
    "dark",     "deep",      "dim",        "dodger",     "drab",      "firebrick", "floral",
    "forest",   "frosted",   "gainsboro",  "ghost",      "goldenrod", "green",     "grey",
    "honeydew", "hot",       "indian",     "ivory",      "khaki",     "lace",      "lavender",
    "lawn",     "lemon",     "light",      "lime",       "linen",     "magenta",   "maroon",
    "medium",   "metallic",  "midnight",   "mint",       "misty",     "moccasin",  "navajo",
    "navy",     "olive",     "orange",     "orchid",     "pale",      "papaya",    "peach",
    "peru",     "pink",      "plum",       "powder",     "puff",      "purple",    "red",
    "rose",     "rosy",      "royal",      "saddle",     "salmon",    "sandy",     "seashell",
    "sienna",   "sky",       "slate",      "smoke",      "snow",      "spring",    "steel",
    "tan",      "thistle",   "tomato",     "turquoise",  "violet",    "wheat",     "white",
    "yellow"};
constexpr int kNumColors = sizeof(kColors) / sizeof(kColors[0]);

constexpr const char* kTypeSyllable1[] = {"STANDARD", "SMALL",   "MEDIUM",
                                          "LARGE",    "ECONOMY", "PROMO"};
constexpr const char* kTypeSyllable2[] = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
constexpr const char* kTypeSyllable3[] = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
constexpr const char* kContainer1[] = {"SM", "LG", "MED", "JUMBO", "WRAP"};
constexpr const char* kContainer2[] = {"CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"};
constexpr const char* kSegments[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
                                     "HOUSEHOLD"};
constexpr const char* kPriorities[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED",
                                       "5-LOW"};
constexpr const char* kInstructions[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                         "TAKE BACK RETURN"};
constexpr const char* kModes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

// Grammar word lists with relative weights (the specification's lists; the weights favour the
// words its queries search for, e.g. "special ... requests").
struct Word {
  const char* text;
  int weight;
};
constexpr Word kNouns[] = {
    {"packages", 8},     {"requests", 8},     {"accounts", 8},       {"deposits", 8},
    {"foxes", 4},        {"ideas", 4},        {"theodolites", 4},    {"pinto beans", 4},
    {"instructions", 4}, {"dependencies", 2}, {"excuses", 2},        {"platelets", 2},
    {"asymptotes", 2},   {"courts", 1},       {"dolphins", 1},       {"multipliers", 1},
    {"sauternes", 1},    {"warthogs", 1},     {"frets", 1},          {"dinos", 1},
    {"attainments", 1},  {"somas", 1},        {"Tiresias", 1},       {"patterns", 1},
    {"forges", 1},       {"braids", 1},       {"hockey players", 1}, {"frays", 1},
    {"warhorses", 1},    {"dugouts", 1},      {"notornis", 1},       {"epitaphs", 1},
    {"pearls", 1},       {"tithes", 1},       {"waters", 1},         {"orbits", 1},
    {"gifts", 1},        {"sheaves", 1},      {"depths", 1},         {"sentiments", 1},
    {"decoys", 1},       {"realms", 1},       {"pains", 1},          {"grouches", 1},
    {"escapades", 1}};
constexpr Word kVerbs[] = {
    {"sleep", 4},     {"wake", 4},     {"are", 4},    {"cajole", 4},  {"haggle", 4},
    {"nag", 2},       {"use", 2},      {"boost", 2},  {"affix", 1},   {"detect", 1},
    {"integrate", 1}, {"maintain", 1}, {"nod", 1},    {"was", 1},     {"lose", 1},
    {"sublate", 1},   {"solve", 1},    {"thrash", 1}, {"promise", 1}, {"engage", 1},
    {"hinder", 1},    {"print", 1},    {"x-ray", 1},  {"breach", 1},  {"eat", 1},
    {"grow", 1},      {"impress", 1},  {"mold", 1},   {"poach", 1},   {"serve", 1},
    {"run", 1},       {"dazzle", 1},   {"snooze", 1}, {"doze", 1},    {"unwind", 1},
    {"kindle", 1},    {"play", 1},     {"hang", 1},   {"believe", 1}, {"doubt", 1}};
constexpr Word kAdjectives[] = {
    {"special", 4},  {"pending", 4}, {"unusual", 4},  {"express", 4},  {"furious", 1},
    {"sly", 1},      {"careful", 1}, {"blithe", 1},   {"quick", 1},    {"fluffy", 1},
    {"slow", 1},     {"quiet", 1},   {"ruthless", 1}, {"thin", 1},     {"close", 1},
    {"dogged", 1},   {"daring", 1},  {"brave", 1},    {"stealthy", 1}, {"permanent", 1},
    {"enticing", 1}, {"idle", 1},    {"busy", 1},     {"regular", 4},  {"final", 4},
    {"ironic", 4},   {"even", 4},    {"bold", 2},     {"silent", 2}};
constexpr Word kAdverbs[] = {
    {"sometimes", 1}, {"always", 1},     {"never", 1},      {"furiously", 4},   {"slyly", 4},
    {"carefully", 4}, {"blithely", 4},   {"quickly", 4},    {"fluffily", 4},    {"slowly", 1},
    {"quietly", 1},   {"ruthlessly", 1}, {"thinly", 1},     {"closely", 1},     {"doggedly", 1},
    {"daringly", 1},  {"bravely", 1},    {"stealthily", 1}, {"permanently", 1}, {"enticingly", 1},
    {"idly", 1},      {"busily", 1},     {"regularly", 1},  {"finally", 1},     {"ironically", 1},
    {"evenly", 1},    {"boldly", 1},     {"silently", 1}};
constexpr Word kPrepositions[] = {
    {"about", 4},       {"above", 4},   {"according to", 4}, {"across", 4}, {"after", 4},
    {"against", 4},     {"along", 4},   {"alongside of", 1}, {"among", 1},  {"around", 1},
    {"at", 1},          {"atop", 1},    {"before", 1},       {"behind", 1}, {"beneath", 1},
    {"beside", 1},      {"besides", 1}, {"between", 1},      {"beyond", 1}, {"by", 1},
    {"despite", 1},     {"during", 1},  {"except", 1},       {"for", 1},    {"from", 1},
    {"in place of", 1}, {"inside", 1},  {"instead of", 1},   {"into", 1},   {"near", 1},
    {"of", 1},          {"on", 1},      {"outside", 1},      {"over", 1},   {"past", 1},
    {"since", 1},       {"through", 1}, {"throughout", 1},   {"to", 1},     {"toward", 1},
    {"under", 1},       {"until", 1},   {"up", 1},           {"upon", 1},   {"without", 1},
    {"with", 1},        {"within", 1}};
constexpr Word kAuxiliaries[] = {{"do", 1},
                                 {"may", 1},
                                 {"might", 1},
                                 {"shall", 1},
                                 {"will", 1},
                                 {"would", 1},
                                 {"can", 1},
                                 {"could", 1},
                                 {"should", 1},
                                 {"ought to", 1},
                                 {"must", 1},
                                 {"will have to", 1},
                                 {"shall have to", 1},
                                 {"could have to", 1},
                                 {"should have to", 1},
                                 {"must have to", 1},
                                 {"need to", 1},
                                 {"try to", 1}};
constexpr Word kTerminators[] = {{".", 50}, {";", 1}, {":", 1}, {"?", 1}, {"!", 1}, {"--", 1}};

// Symbols of random v-strings (addresses): 64 of them, never '|'.
constexpr char kVStringSymbols[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,.";
static_assert(sizeof(kVStringSymbols) == 65);

// ---------------------------------------------------------------------------------------------
// Random streams.

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// SplitMix64: a 64-bit counter run through a bijective mixer.
class Rng {
 public:
  explicit Rng(uint64_t state) : state_(state) {}
  uint64_t Next() {
    state_ += kGolden;
    return Mix64(state_);
  }
  /// Uniform in [lo, hi] (multiply-shift; the bias is below 2^-40 for our ranges).
  int64_t Uniform(int64_t lo, int64_t hi) {
    uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>((static_cast<unsigned __int128>(Next()) * span) >> 64);
  }

 private:
  uint64_t state_;
};

Rng RowRng(const TpchContext& context, TpchTable table, int64_t row) {
  return Rng(Mix64(context.StreamBase(table) ^ Mix64(static_cast<uint64_t>(row) + kGolden)));
}

/// Expanded weighted list: each word repeated `weight` times, picked uniformly.
class WeightedList {
 public:
  template <size_t N>
  explicit WeightedList(const Word (&words)[N]) {
    for (const Word& word : words) {
      for (int i = 0; i < word.weight; ++i) entries_.push_back(word.text);
    }
  }
  std::string_view Pick(Rng& rng) const {
    return entries_[rng.Uniform(0, static_cast<int64_t>(entries_.size()) - 1)];
  }

 private:
  std::vector<std::string_view> entries_;
};

// ---------------------------------------------------------------------------------------------
// The text pool: sentences of the specification's grammar, one after another.

class TextGrammar {
 public:
  TextGrammar()
      : nouns_(kNouns),
        verbs_(kVerbs),
        adjectives_(kAdjectives),
        adverbs_(kAdverbs),
        prepositions_(kPrepositions),
        auxiliaries_(kAuxiliaries),
        terminators_(kTerminators) {}

  void Sentence(Rng& rng, std::string* out) const {
    // Weights 3, 3, 3, 1, 1 for the five sentence forms.
    int64_t form = rng.Uniform(0, 10);
    if (form < 3) {
      NounPhrase(rng, out);
      VerbPhrase(rng, out);
    } else if (form < 6) {
      NounPhrase(rng, out);
      VerbPhrase(rng, out);
      PrepositionalPhrase(rng, out);
    } else if (form < 9) {
      NounPhrase(rng, out);
      VerbPhrase(rng, out);
      NounPhrase(rng, out);
    } else if (form < 10) {
      NounPhrase(rng, out);
      PrepositionalPhrase(rng, out);
      VerbPhrase(rng, out);
      NounPhrase(rng, out);
    } else {
      NounPhrase(rng, out);
      PrepositionalPhrase(rng, out);
      VerbPhrase(rng, out);
      PrepositionalPhrase(rng, out);
    }
    // The terminator follows the last word directly; sentences are separated by a space.
    if (!out->empty() && out->back() == ' ') out->pop_back();
    out->append(terminators_.Pick(rng));
    out->push_back(' ');
  }

 private:
  void Put(std::string_view word, std::string* out) const {
    out->append(word);
    out->push_back(' ');
  }
  void NounPhrase(Rng& rng, std::string* out) const {
    // <noun> | <adjective> <noun> | <adjective>, <adjective> <noun> | <adverb> <adjective> <noun>
    int64_t form = rng.Uniform(0, 9);
    if (form < 1) {
    } else if (form < 5) {
      Put(adjectives_.Pick(rng), out);
    } else if (form < 7) {
      out->append(adjectives_.Pick(rng));
      out->append(", ");
      Put(adjectives_.Pick(rng), out);
    } else {
      Put(adverbs_.Pick(rng), out);
      Put(adjectives_.Pick(rng), out);
    }
    Put(nouns_.Pick(rng), out);
  }
  void VerbPhrase(Rng& rng, std::string* out) const {
    // <verb> | <auxiliary> <verb> | <verb> <adverb> | <auxiliary> <verb> <adverb>
    int64_t form = rng.Uniform(0, 9);
    if (form < 3) {
      Put(verbs_.Pick(rng), out);
    } else if (form < 4) {
      Put(auxiliaries_.Pick(rng), out);
      Put(verbs_.Pick(rng), out);
    } else if (form < 9) {
      Put(verbs_.Pick(rng), out);
      Put(adverbs_.Pick(rng), out);
    } else {
      Put(auxiliaries_.Pick(rng), out);
      Put(verbs_.Pick(rng), out);
      Put(adverbs_.Pick(rng), out);
    }
  }
  void PrepositionalPhrase(Rng& rng, std::string* out) const {
    // <preposition> the <noun phrase>
    Put(prepositions_.Pick(rng), out);
    Put("the", out);
    NounPhrase(rng, out);
  }

  WeightedList nouns_, verbs_, adjectives_, adverbs_, prepositions_, auxiliaries_, terminators_;
};

std::string BuildTextPool(uint64_t seed, int64_t bytes) {
  TextGrammar grammar;
  Rng rng(Mix64(seed ^ 0x7465787420706f6full));  // "text poo"
  std::string pool;
  pool.reserve(static_cast<size_t>(bytes) + 512);
  while (static_cast<int64_t>(pool.size()) < bytes) grammar.Sentence(rng, &pool);
  pool.resize(static_cast<size_t>(bytes));
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Formatting straight into a growing string.

/// Appends rows to a string through a raw pointer: Begin(n) guarantees n writable bytes.
class RowWriter {
 public:
  explicit RowWriter(std::string* out) : out_(out), pos_(out->size()) {}
  ~RowWriter() { out_->resize(pos_); }
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  char* Begin(size_t max_bytes) {
    if (pos_ + max_bytes > out_->size()) {
      out_->resize(std::max(pos_ + max_bytes, out_->size() * 2 + 4096));
    }
    return out_->data() + pos_;
  }
  void End(char* p) { pos_ = static_cast<size_t>(p - out_->data()); }

 private:
  std::string* out_;
  size_t pos_;
};

constexpr size_t kMaxRowBytes = 1024;  // every row of every table is shorter

inline char* PutUnsigned(char* p, uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *p++ = digits[--n];
  return p;
}
inline char* PutInt(char* p, int64_t v) {
  if (v < 0) {
    *p++ = '-';
    return PutUnsigned(p, 0 - static_cast<uint64_t>(v));
  }
  return PutUnsigned(p, static_cast<uint64_t>(v));
}
inline char* PutPadded(char* p, uint64_t v, int width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; ++i) *p++ = '0';
  while (n > 0) *p++ = digits[--n];
  return p;
}
inline char* PutCents(char* p, int64_t cents) {
  if (cents < 0) {
    *p++ = '-';
    cents = -cents;
  }
  p = PutUnsigned(p, static_cast<uint64_t>(cents / 100));
  *p++ = '.';
  *p++ = static_cast<char>('0' + (cents % 100) / 10);
  *p++ = static_cast<char>('0' + cents % 10);
  return p;
}
inline char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
inline char* Bar(char* p) {
  *p++ = '|';
  return p;
}

/// "YYYY-MM-DD" of every day in [StartDate, EndDate].
class DateTexts {
 public:
  DateTexts() {
    first_ = StartDate();
    int32_t count = EndDate() - first_ + 1;
    text_.resize(static_cast<size_t>(count) * 10);
    for (int32_t i = 0; i < count; ++i) {
      int y, m, d;
      CivilFromDays(first_ + i, &y, &m, &d);
      char* p = &text_[static_cast<size_t>(i) * 10];
      p = PutPadded(p, static_cast<uint64_t>(y), 4);
      *p++ = '-';
      p = PutPadded(p, static_cast<uint64_t>(m), 2);
      *p++ = '-';
      PutPadded(p, static_cast<uint64_t>(d), 2);
    }
  }
  char* Put(char* p, int32_t day) const {
    std::memcpy(p, &text_[static_cast<size_t>(day - first_) * 10], 10);
    return p + 10;
  }

 private:
  int32_t first_ = 0;
  std::string text_;
};

const DateTexts& Dates() {
  static const DateTexts dates;
  return dates;
}

// ---------------------------------------------------------------------------------------------
// Field rules shared by several tables.

/// text string [min, max]: a substring of the pool at a random offset with a random length.
std::string_view Text(const TpchContext& context, Rng& rng, int lo, int hi) {
  std::string_view pool = context.text_pool();
  int64_t length = rng.Uniform(lo, hi);
  int64_t offset = rng.Uniform(0, static_cast<int64_t>(pool.size()) - length);
  return pool.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

/// random v-string [min, max]: symbols drawn from a 64-symbol alphabet.
char* PutVString(char* p, Rng& rng, int lo, int hi) {
  int64_t length = rng.Uniform(lo, hi);
  uint64_t bits = 0;
  int left = 0;
  for (int64_t i = 0; i < length; ++i) {
    if (left == 0) {
      bits = rng.Next();
      left = 10;
    }
    *p++ = kVStringSymbols[bits & 63];
    bits >>= 6;
    --left;
  }
  return p;
}

/// Phone: <nationkey + 10>-<100..999>-<100..999>-<1000..9999>.
char* PutPhone(char* p, Rng& rng, int64_t nationkey) {
  p = PutUnsigned(p, static_cast<uint64_t>(nationkey + 10));
  *p++ = '-';
  p = PutUnsigned(p, static_cast<uint64_t>(rng.Uniform(100, 999)));
  *p++ = '-';
  p = PutUnsigned(p, static_cast<uint64_t>(rng.Uniform(100, 999)));
  *p++ = '-';
  return PutUnsigned(p, static_cast<uint64_t>(rng.Uniform(1000, 9999)));
}

template <size_t N>
std::string_view PickFrom(Rng& rng, const char* const (&list)[N]) {
  return list[rng.Uniform(0, static_cast<int64_t>(N) - 1)];
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Names, schemas and constants.

const char* TpchTableName(TpchTable table) {
  static constexpr const char* kNames[kNumTpchTables] = {
      "region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"};
  return kNames[static_cast<int>(table)];
}

const std::vector<TpchTable>& AllTpchTables() {
  static const std::vector<TpchTable> kAll = {
      TpchTable::kRegion, TpchTable::kNation,   TpchTable::kSupplier, TpchTable::kCustomer,
      TpchTable::kPart,   TpchTable::kPartSupp, TpchTable::kOrders,   TpchTable::kLineitem};
  return kAll;
}

const std::vector<TpchColumn>& TpchColumns(TpchTable table) {
  const DataType key = DataType::Int64();
  const DataType integer = DataType::Int32();
  const DataType money = DataType::Decimal(15, 2);
  const DataType text = DataType::Utf8();
  const DataType date = DataType::Date32();
  static const std::vector<TpchColumn> kSchemas[kNumTpchTables] = {
      {{"r_regionkey", key}, {"r_name", text}, {"r_comment", text}},
      {{"n_nationkey", key}, {"n_name", text}, {"n_regionkey", key}, {"n_comment", text}},
      {{"s_suppkey", key},
       {"s_name", text},
       {"s_address", text},
       {"s_nationkey", key},
       {"s_phone", text},
       {"s_acctbal", money},
       {"s_comment", text}},
      {{"c_custkey", key},
       {"c_name", text},
       {"c_address", text},
       {"c_nationkey", key},
       {"c_phone", text},
       {"c_acctbal", money},
       {"c_mktsegment", text},
       {"c_comment", text}},
      {{"p_partkey", key},
       {"p_name", text},
       {"p_mfgr", text},
       {"p_brand", text},
       {"p_type", text},
       {"p_size", integer},
       {"p_container", text},
       {"p_retailprice", money},
       {"p_comment", text}},
      {{"ps_partkey", key},
       {"ps_suppkey", key},
       {"ps_availqty", integer},
       {"ps_supplycost", money},
       {"ps_comment", text}},
      {{"o_orderkey", key},
       {"o_custkey", key},
       {"o_orderstatus", text},
       {"o_totalprice", money},
       {"o_orderdate", date},
       {"o_orderpriority", text},
       {"o_clerk", text},
       {"o_shippriority", integer},
       {"o_comment", text}},
      {{"l_orderkey", key},
       {"l_partkey", key},
       {"l_suppkey", key},
       {"l_linenumber", integer},
       {"l_quantity", money},
       {"l_extendedprice", money},
       {"l_discount", money},
       {"l_tax", money},
       {"l_returnflag", text},
       {"l_linestatus", text},
       {"l_shipdate", date},
       {"l_commitdate", date},
       {"l_receiptdate", date},
       {"l_shipinstruct", text},
       {"l_shipmode", text},
       {"l_comment", text}},
  };
  return kSchemas[static_cast<int>(table)];
}

Status ValidateScaleFactor(double sf) {
  if (!(sf >= kMinScaleFactor && sf <= kMaxScaleFactor)) {
    char text[64];
    std::snprintf(text, sizeof(text), "--sf (scale factor) must be between %g and %g, got %g",
                  kMinScaleFactor, kMaxScaleFactor, sf);
    return Status::Invalid(text);
  }
  return Status::OK();
}

int32_t StartDate() { return DaysFromCivil(1992, 1, 1); }
int32_t EndDate() { return DaysFromCivil(1998, 12, 31); }
int32_t CurrentDate() { return DaysFromCivil(1995, 6, 17); }

// ---------------------------------------------------------------------------------------------
// Context.

Result<std::shared_ptr<const TpchContext>> TpchContext::Make(double sf, uint64_t seed,
                                                             int64_t text_pool_bytes) {
  QK_RETURN_NOT_OK(ValidateScaleFactor(sf));
  if (text_pool_bytes < 4096) {
    return Status::Invalid("the TPC-H text pool must hold at least 4096 bytes");
  }
  std::shared_ptr<TpchContext> context(new TpchContext());
  context->sf_ = sf;
  context->seed_ = seed;
  context->suppliers_ = std::llround(sf * 10000);
  context->customers_ = std::llround(sf * 150000);
  context->parts_ = std::llround(sf * 200000);
  context->orders_ = std::llround(sf * 1500000);
  context->clerks_ = std::max<int64_t>(1, std::llround(sf * 1000));
  for (int t = 0; t < kNumTpchTables; ++t) {
    context->stream_base_[t] = Mix64(Mix64(seed + kGolden) ^ Mix64(0x5450434800000000ull + t));
  }
  context->pool_ = BuildTextPool(seed, text_pool_bytes);

  // SF * 5 suppliers hold "Customer%Complaints" and another SF * 5 "Customer%Recommends".
  int64_t special = std::max<int64_t>(1, std::llround(sf * 5));
  Rng rng(Mix64(seed ^ 0x436f6d706c61696eull));
  std::set<int64_t> chosen;
  std::vector<int64_t> order;
  while (static_cast<int64_t>(order.size()) < 2 * special) {
    int64_t key = rng.Uniform(1, context->suppliers_);
    if (chosen.insert(key).second) order.push_back(key);
  }
  context->complaints_.assign(order.begin(), order.begin() + special);
  context->recommends_.assign(order.begin() + special, order.end());
  std::sort(context->complaints_.begin(), context->complaints_.end());
  std::sort(context->recommends_.begin(), context->recommends_.end());
  return std::shared_ptr<const TpchContext>(std::move(context));
}

int64_t TpchContext::GeneratorRows(TpchTable table) const {
  switch (table) {
    case TpchTable::kRegion:
      return 5;
    case TpchTable::kNation:
      return 25;
    case TpchTable::kSupplier:
      return suppliers_;
    case TpchTable::kCustomer:
      return customers_;
    case TpchTable::kPart:
      return parts_;
    case TpchTable::kPartSupp:
      return parts_ * 4;
    case TpchTable::kOrders:
    case TpchTable::kLineitem:
      return orders_;
  }
  return 0;
}

int TpchContext::SupplierCommentKind(int64_t suppkey) const {
  if (std::binary_search(complaints_.begin(), complaints_.end(), suppkey)) return 1;
  if (std::binary_search(recommends_.begin(), recommends_.end(), suppkey)) return 2;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Row generators.

void AppendRegion(const TpchContext& context, std::string* out) {
  RowWriter writer(out);
  for (int r = 0; r < 5; ++r) {
    Rng rng = RowRng(context, TpchTable::kRegion, r);
    char* p = writer.Begin(kMaxRowBytes);
    p = Bar(PutInt(p, r));
    p = Bar(Put(p, kRegions[r]));
    p = Bar(Put(p, Text(context, rng, 31, 115)));
    *p++ = '\n';
    writer.End(p);
  }
}

void AppendNation(const TpchContext& context, std::string* out) {
  RowWriter writer(out);
  for (int n = 0; n < 25; ++n) {
    Rng rng = RowRng(context, TpchTable::kNation, n);
    char* p = writer.Begin(kMaxRowBytes);
    p = Bar(PutInt(p, n));
    p = Bar(Put(p, kNations[n].name));
    p = Bar(PutInt(p, kNations[n].region));
    p = Bar(Put(p, Text(context, rng, 31, 114)));
    *p++ = '\n';
    writer.End(p);
  }
}

void AppendSuppliers(const TpchContext& context, int64_t begin, int64_t end, std::string* out) {
  RowWriter writer(out);
  static constexpr std::string_view kCustomer = "Customer";
  for (int64_t row = begin; row < end; ++row) {
    Rng rng = RowRng(context, TpchTable::kSupplier, row);
    int64_t key = row + 1;
    char* p = writer.Begin(kMaxRowBytes);
    p = Bar(PutInt(p, key));
    p = Bar(PutPadded(Put(p, "Supplier#"), static_cast<uint64_t>(key), 9));
    p = Bar(PutVString(p, rng, 10, 40));
    int64_t nation = rng.Uniform(0, 24);
    p = Bar(PutInt(p, nation));
    p = Bar(PutPhone(p, rng, nation));
    p = Bar(PutCents(p, rng.Uniform(-99999, 999999)));
    std::string_view comment = Text(context, rng, 25, 100);
    int kind = context.SupplierCommentKind(key);
    if (kind == 0) {
      p = Put(p, comment);
    } else {
      // Overwrite a random stretch of the comment with "Customer<text>Complaints" (or
      // "...Recommends"), keeping its length.
      std::string_view tail = kind == 1 ? "Complaints" : "Recommends";
      int64_t fixed = static_cast<int64_t>(kCustomer.size() + tail.size());
      int64_t length = static_cast<int64_t>(comment.size());
      int64_t middle = rng.Uniform(0, length - fixed);
      int64_t at = rng.Uniform(0, length - fixed - middle);
      char* start = p;
      p = Put(p, comment);
      char* q = Put(start + at, kCustomer);
      q = Put(q, Text(context, rng, static_cast<int>(middle), static_cast<int>(middle)));
      Put(q, tail);
    }
    p = Bar(p);
    *p++ = '\n';
    writer.End(p);
  }
}

void AppendCustomers(const TpchContext& context, int64_t begin, int64_t end, std::string* out) {
  RowWriter writer(out);
  for (int64_t row = begin; row < end; ++row) {
    Rng rng = RowRng(context, TpchTable::kCustomer, row);
    int64_t key = row + 1;
    char* p = writer.Begin(kMaxRowBytes);
    p = Bar(PutInt(p, key));
    p = Bar(PutPadded(Put(p, "Customer#"), static_cast<uint64_t>(key), 9));
    p = Bar(PutVString(p, rng, 10, 40));
    int64_t nation = rng.Uniform(0, 24);
    p = Bar(PutInt(p, nation));
    p = Bar(PutPhone(p, rng, nation));
    p = Bar(PutCents(p, rng.Uniform(-99999, 999999)));
    p = Bar(Put(p, PickFrom(rng, kSegments)));
    p = Bar(Put(p, Text(context, rng, 29, 116)));
    *p++ = '\n';
    writer.End(p);
  }
}

void AppendParts(const TpchContext& context, int64_t begin, int64_t end, std::string* part,
                 std::string* partsupp) {
  if (part != nullptr) {
    RowWriter writer(part);
    for (int64_t row = begin; row < end; ++row) {
      Rng rng = RowRng(context, TpchTable::kPart, row);
      int64_t key = row + 1;
      char* p = writer.Begin(kMaxRowBytes);
      p = Bar(PutInt(p, key));
      // P_NAME: five distinct colors separated by single spaces.
      int colors[5];
      for (int i = 0; i < 5; ++i) {
        bool again;
        do {
          colors[i] = static_cast<int>(rng.Uniform(0, kNumColors - 1));
          again = std::find(colors, colors + i, colors[i]) != colors + i;
        } while (again);
        if (i > 0) *p++ = ' ';
        p = Put(p, kColors[colors[i]]);
      }
      p = Bar(p);
      int64_t m = rng.Uniform(1, 5);
      int64_t n = rng.Uniform(1, 5);
      p = Bar(PutInt(Put(p, "Manufacturer#"), m));
      p = Bar(PutInt(Put(p, "Brand#"), m * 10 + n));
      p = Put(p, PickFrom(rng, kTypeSyllable1));
      *p++ = ' ';
      p = Put(p, PickFrom(rng, kTypeSyllable2));
      *p++ = ' ';
      p = Bar(Put(p, PickFrom(rng, kTypeSyllable3)));
      p = Bar(PutInt(p, rng.Uniform(1, 50)));
      p = Put(p, PickFrom(rng, kContainer1));
      *p++ = ' ';
      p = Bar(Put(p, PickFrom(rng, kContainer2)));
      p = Bar(PutCents(p, RetailPriceCents(key)));
      p = Bar(Put(p, Text(context, rng, 5, 22)));
      *p++ = '\n';
      writer.End(p);
    }
  }
  if (partsupp != nullptr) {
    RowWriter writer(partsupp);
    int64_t suppliers = context.suppliers();
    for (int64_t row = begin; row < end; ++row) {
      Rng rng = RowRng(context, TpchTable::kPartSupp, row);
      int64_t key = row + 1;
      for (int i = 0; i < 4; ++i) {
        char* p = writer.Begin(kMaxRowBytes);
        p = Bar(PutInt(p, key));
        p = Bar(PutInt(p, PartSupplier(key, i, suppliers)));
        p = Bar(PutInt(p, rng.Uniform(1, 9999)));
        p = Bar(PutCents(p, rng.Uniform(100, 100000)));
        p = Bar(Put(p, Text(context, rng, 49, 198)));
        *p++ = '\n';
        writer.End(p);
      }
    }
  }
}

int64_t AppendOrders(const TpchContext& context, int64_t begin, int64_t end, std::string* orders,
                     std::string* lineitem) {
  struct Line {
    int64_t partkey, suppkey, quantity, extendedprice, discount, tax;
    int32_t shipdate, commitdate, receiptdate;
    char returnflag, linestatus;
    std::string_view instruct, mode, comment;
  };
  std::optional<RowWriter> order_writer, line_writer;
  if (orders != nullptr) order_writer.emplace(orders);
  if (lineitem != nullptr) line_writer.emplace(lineitem);
  const DateTexts& dates = Dates();
  const int32_t start = StartDate();
  const int32_t last_order_date = EndDate() - 151;
  const int32_t current = CurrentDate();
  const int64_t parts = context.parts();
  const int64_t suppliers = context.suppliers();
  // Customers with a key divisible by 3 have no orders: draw among the others.
  const int64_t customers = context.customers();
  const int64_t eligible = customers - customers / 3;
  int64_t total_lines = 0;
  Line lines[7];
  for (int64_t row = begin; row < end; ++row) {
    Rng rng = RowRng(context, TpchTable::kOrders, row);
    int64_t orderkey = OrderKeyOfIndex(row);
    int64_t pick = rng.Uniform(0, eligible - 1);
    int64_t custkey = (pick / 2) * 3 + pick % 2 + 1;
    int32_t orderdate = static_cast<int32_t>(rng.Uniform(start, last_order_date));
    std::string_view priority = PickFrom(rng, kPriorities);
    int64_t clerk = rng.Uniform(1, context.clerks());
    std::string_view comment = Text(context, rng, 19, 78);
    int count = static_cast<int>(rng.Uniform(1, 7));
    // Sum of extendedprice * (1 + tax) * (1 - discount), exact in 1e-6 dollars.
    int64_t total_micros = 0;
    int shipped = 0;
    for (int i = 0; i < count; ++i) {
      Line& line = lines[i];
      line.partkey = rng.Uniform(1, parts);
      line.suppkey = PartSupplier(line.partkey, static_cast<int>(rng.Uniform(0, 3)), suppliers);
      line.quantity = rng.Uniform(1, 50);
      line.extendedprice = line.quantity * RetailPriceCents(line.partkey);
      line.discount = rng.Uniform(0, 10);
      line.tax = rng.Uniform(0, 8);
      line.shipdate = orderdate + static_cast<int32_t>(rng.Uniform(1, 121));
      line.commitdate = orderdate + static_cast<int32_t>(rng.Uniform(30, 90));
      line.receiptdate = line.shipdate + static_cast<int32_t>(rng.Uniform(1, 30));
      bool returnable = line.receiptdate <= current;
      char flag = rng.Uniform(0, 1) == 0 ? 'R' : 'A';
      line.returnflag = returnable ? flag : 'N';
      line.linestatus = line.shipdate > current ? 'O' : 'F';
      shipped += line.linestatus == 'F';
      line.instruct = PickFrom(rng, kInstructions);
      line.mode = PickFrom(rng, kModes);
      line.comment = Text(context, rng, 10, 43);
      total_micros += line.extendedprice * (100 + line.tax) * (100 - line.discount);
    }
    total_lines += count;
    if (order_writer) {
      char status = shipped == count ? 'F' : (shipped == 0 ? 'O' : 'P');
      int64_t total_cents = (total_micros + 5000) / 10000;  // round half up
      char* p = order_writer->Begin(kMaxRowBytes);
      p = Bar(PutInt(p, orderkey));
      p = Bar(PutInt(p, custkey));
      *p++ = status;
      p = Bar(p);
      p = Bar(PutCents(p, total_cents));
      p = Bar(dates.Put(p, orderdate));
      p = Bar(Put(p, priority));
      p = Bar(PutPadded(Put(p, "Clerk#"), static_cast<uint64_t>(clerk), 9));
      p = Bar(Put(p, "0"));
      p = Bar(Put(p, comment));
      *p++ = '\n';
      order_writer->End(p);
    }
    if (line_writer) {
      for (int i = 0; i < count; ++i) {
        const Line& line = lines[i];
        char* p = line_writer->Begin(kMaxRowBytes);
        p = Bar(PutInt(p, orderkey));
        p = Bar(PutInt(p, line.partkey));
        p = Bar(PutInt(p, line.suppkey));
        p = Bar(PutInt(p, i + 1));
        p = Bar(PutInt(p, line.quantity));
        p = Bar(PutCents(p, line.extendedprice));
        p = Bar(PutCents(p, line.discount));
        p = Bar(PutCents(p, line.tax));
        *p++ = line.returnflag;
        p = Bar(p);
        *p++ = line.linestatus;
        p = Bar(p);
        p = Bar(dates.Put(p, line.shipdate));
        p = Bar(dates.Put(p, line.commitdate));
        p = Bar(dates.Put(p, line.receiptdate));
        p = Bar(Put(p, line.instruct));
        p = Bar(Put(p, line.mode));
        p = Bar(Put(p, line.comment));
        *p++ = '\n';
        line_writer->End(p);
      }
    }
  }
  return total_lines;
}

}  // namespace quokka::tpch
