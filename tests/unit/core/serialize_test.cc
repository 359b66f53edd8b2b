// Tests for the type registry, Serialize/Deserialize round trips and malformed input.

#include "quokka/serialize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "quokka/object.h"
#include "quokka/status.h"
#include "test_util.h"

namespace quokka {
namespace {

// A user struct registered through its members.
struct SerPoint {
  int64_t x = 0;
  double y = 0;
  std::string label;
  bool operator==(const SerPoint& other) const = default;

  void Encode(Encoder& out) const {
    out.ArrayHeader(3);
    out.Int(x);
    out.Double(y);
    out.String(label);
  }
  static SerPoint Decode(Decoder& in) {
    SerPoint p;
    if (in.ArrayHeader() != 3) throw Error(Status::TypeError("SerPoint: bad arity"));
    p.x = in.Int();
    p.y = in.Double();
    p.label = in.String();
    return p;
  }
};

// A user struct registered with explicit functions; holds a nested Object.
struct SerBox {
  Object inner;
  int64_t tag = 0;
  bool operator==(const SerBox& other) const = default;
};

// Never registered.
struct SerUnregisteredWidget {
  int value = 1;
  bool operator==(const SerUnregisteredWidget& other) const = default;
};

// Registered, but its Decode reads the wrong kind of value.
struct SerBadDecode {
  int64_t value = 0;
  bool operator==(const SerBadDecode& other) const = default;
  void Encode(Encoder& out) const { out.Int(value); }
  static SerBadDecode Decode(Decoder& in) {
    return SerBadDecode{static_cast<int64_t>(in.String().size())};
  }
};

// Another type, for a name clash.
struct SerOther {
  int64_t v = 0;
  void Encode(Encoder& out) const { out.Int(v); }
  static SerOther Decode(Decoder& in) { return SerOther{in.Int()}; }
};

void RegisterTestTypes() {
  QK_ASSERT_OK(RegisterType<SerPoint>("test.serialize.point"));
  QK_ASSERT_OK(RegisterType<SerBox>(
      "test.serialize.box",
      [](const SerBox& box, Encoder& out) {
        out.ArrayHeader(2);
        out.WriteObject(box.inner);
        out.Int(box.tag);
      },
      [](Decoder& in) {
        SerBox box;
        in.ArrayHeader();
        box.inner = in.ReadObject();
        box.tag = in.Int();
        return box;
      }));
  QK_ASSERT_OK(RegisterType<SerBadDecode>("test.serialize.bad_decode"));
}

Object RoundTrip(const Object& object) {
  Result<std::string> bytes = Serialize(object);
  if (!bytes.ok()) {
    ADD_FAILURE() << "Serialize failed: " << bytes.status().ToString();
    return Object();
  }
  Result<Object> back = Deserialize(*bytes);
  if (!back.ok()) {
    ADD_FAILURE() << "Deserialize failed: " << back.status().ToString();
    return Object();
  }
  return *back;
}

TEST(SerializeTest, BuiltinCodecsAreRegistered) {
  for (const char* name : {"null", "int64", "double", "string", "bytes", "list", "map"}) {
    const TypeCodec* codec = FindCodec(std::string_view(name));
    ASSERT_NE(codec, nullptr) << name;
    EXPECT_EQ(codec->name, name);
  }
  const TypeCodec* string_codec = FindCodec(typeid(std::string));
  ASSERT_NE(string_codec, nullptr);
  EXPECT_EQ(string_codec->name, "string");
  EXPECT_NE(FindCodec(typeid(std::vector<int64_t>)), nullptr);
  EXPECT_NE(FindCodec(typeid(std::vector<double>)), nullptr);
  EXPECT_EQ(FindCodec(std::string_view("test.serialize.never_registered")), nullptr);
  EXPECT_EQ(FindCodec(typeid(SerUnregisteredWidget)), nullptr);
}

TEST(SerializeTest, RoundTripNull) {
  Object back = RoundTrip(Object());
  EXPECT_TRUE(back.is_null());
}

TEST(SerializeTest, RoundTripInt64) {
  for (int64_t value : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{127}, int64_t{128},
                        int64_t{-33}, int64_t{65536}, int64_t{-2147483649LL}, int64_t{4294967296LL},
                        std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    Object back = RoundTrip(Object(value));
    ASSERT_TRUE(back.Is<int64_t>()) << value;
    EXPECT_EQ(back.As<int64_t>(), value);
  }
}

TEST(SerializeTest, RoundTripDouble) {
  for (double value :
       {0.0, 1.5, -2.25, 1e300, -1e-300, std::numeric_limits<double>::denorm_min(),
        std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    Object back = RoundTrip(Object(value));
    ASSERT_TRUE(back.Is<double>()) << value;
    EXPECT_EQ(back.As<double>(), value);
  }
  // An integral-valued double stays a double.
  EXPECT_TRUE(RoundTrip(Object(3.0)).Is<double>());
  Object nan = RoundTrip(Object(std::numeric_limits<double>::quiet_NaN()));
  ASSERT_TRUE(nan.Is<double>());
  EXPECT_TRUE(std::isnan(nan.As<double>()));
  Object negative_zero = RoundTrip(Object(-0.0));
  ASSERT_TRUE(negative_zero.Is<double>());
  EXPECT_EQ(negative_zero.As<double>(), 0.0);
  EXPECT_TRUE(std::signbit(negative_zero.As<double>()));
}

TEST(SerializeTest, RoundTripString) {
  std::string with_nul("a\0b\0", 4);
  for (const std::string& value :
       {std::string(), std::string("x"), std::string("hello world"), with_nul,
        std::string("k\xC3\xA4nguru \xF0\x9F\xA6\x98"), std::string(31, 's'), std::string(32, 's'),
        std::string(300, 'm'), std::string(70000, 'L')}) {
    Object back = RoundTrip(Object(value));
    ASSERT_TRUE(back.Is<std::string>());
    EXPECT_EQ(back.As<std::string>(), value);
  }
}

TEST(SerializeTest, RoundTripBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (const std::string& value : {std::string(), all, std::string(100000, '\xff')}) {
    Object back = RoundTrip(Object(Bytes{value}));
    ASSERT_TRUE(back.Is<Bytes>());
    EXPECT_FALSE(back.Is<std::string>());
    EXPECT_EQ(back.As<Bytes>().data, value);
  }
}

TEST(SerializeTest, RoundTripListsAndMaps) {
  Object empty_list = RoundTrip(Object(ObjectList{}));
  ASSERT_TRUE(empty_list.Is<ObjectList>());
  EXPECT_TRUE(empty_list.As<ObjectList>().empty());
  Object empty_map = RoundTrip(Object(ObjectMap{}));
  ASSERT_TRUE(empty_map.Is<ObjectMap>());
  EXPECT_TRUE(empty_map.As<ObjectMap>().empty());

  ObjectMap inner{{"", Object("empty key")},
                  {"n", Object()},
                  {"d", Object(0.25)},
                  {"b", Object(Bytes{"\x00\x01"})},
                  {"l", Object(ObjectList{Object(1), Object(ObjectList{Object(2)})})}};
  Object nested(ObjectList{Object(1), Object("two"), Object(3.0), Object(inner),
                           Object(ObjectList{}), Object(ObjectMap{{"deep", Object(inner)}})});
  Object back = RoundTrip(nested);
  EXPECT_EQ(back, nested);
  EXPECT_TRUE(back.As<ObjectList>()[2].Is<double>());
  EXPECT_TRUE(back.As<ObjectList>()[3].As<ObjectMap>().at("n").is_null());

  ObjectList big;
  for (int64_t i = 0; i < 10000; ++i) big.push_back(Object(i * 7 - 5000));
  EXPECT_EQ(RoundTrip(Object(big)), Object(big));
}

TEST(SerializeTest, RoundTripNumericVectors) {
  std::vector<int64_t> ints{0, -1, std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max(), 42};
  Object back = RoundTrip(Object::Make(ints));
  ASSERT_TRUE(back.Is<std::vector<int64_t>>());
  EXPECT_EQ(back.As<std::vector<int64_t>>(), ints);
  EXPECT_TRUE(RoundTrip(Object::Make(std::vector<int64_t>{})).Is<std::vector<int64_t>>());

  std::vector<double> doubles{0.0, -1.5, 1e-10, std::numeric_limits<double>::infinity()};
  Object back_doubles = RoundTrip(Object::Make(doubles));
  ASSERT_TRUE(back_doubles.Is<std::vector<double>>());
  EXPECT_EQ(back_doubles.As<std::vector<double>>(), doubles);
}

TEST(SerializeTest, RoundTripUserTypes) {
  RegisterTestTypes();
  SerPoint point{-7, 2.5, "origin"};
  Object back = RoundTrip(Object::Make(point));
  ASSERT_TRUE(back.Is<SerPoint>()) << back.type_name();
  EXPECT_EQ(back.As<SerPoint>(), point);
  EXPECT_EQ(Object::Make(point).type_name(), "test.serialize.point");

  SerBox box{Object(ObjectList{Object::Make(point), Object("s")}), 99};
  Object back_box = RoundTrip(Object::Make(box));
  ASSERT_TRUE(back_box.Is<SerBox>());
  EXPECT_EQ(back_box.As<SerBox>().tag, 99);
  EXPECT_EQ(back_box.As<SerBox>().inner.As<ObjectList>()[0].As<SerPoint>(), point);

  // User types nested in built-in containers.
  Object in_map(ObjectMap{{"p", Object::Make(point)}, {"q", Object::Make(SerPoint{1, 1, ""})}});
  Object back_map = RoundTrip(in_map);
  EXPECT_EQ(back_map, in_map);
  EXPECT_TRUE(back_map.As<ObjectMap>().at("p").Is<SerPoint>());
}

TEST(SerializeTest, RegistryLookups) {
  RegisterTestTypes();
  const TypeCodec* by_type = FindCodec(typeid(SerPoint));
  ASSERT_NE(by_type, nullptr);
  EXPECT_EQ(by_type->name, "test.serialize.point");
  const TypeCodec* by_name = FindCodec(std::string_view("test.serialize.point"));
  ASSERT_NE(by_name, nullptr);
  ASSERT_NE(by_name->type, nullptr);
  EXPECT_EQ(*by_name->type, typeid(SerPoint));
}

TEST(SerializeTest, ReRegistration) {
  RegisterTestTypes();
  // The same type under the same name: a no-op.
  QK_EXPECT_OK(RegisterType<SerPoint>("test.serialize.point"));
  // A different type under a taken name: refused, and the old codec stays.
  Status clash = RegisterType<SerOther>("test.serialize.point");
  EXPECT_FALSE(clash.ok());
  Status builtin_clash = RegisterType<SerOther>("int64");
  EXPECT_FALSE(builtin_clash.ok());
  const TypeCodec* codec = FindCodec(std::string_view("test.serialize.point"));
  ASSERT_NE(codec, nullptr);
  EXPECT_EQ(*codec->type, typeid(SerPoint));
  EXPECT_EQ(RoundTrip(Object::Make(SerPoint{1, 2, "x"})).As<SerPoint>().label, "x");
  EXPECT_EQ(RoundTrip(Object(5)).As<int64_t>(), 5);
}

TEST(SerializeTest, UnregisteredTypeFailsNamingTheType) {
  Result<std::string> direct = Serialize(Object::Make(SerUnregisteredWidget{}));
  ASSERT_FALSE(direct.ok());
  QK_EXPECT_CONTAINS(direct.status().message(), "SerUnregisteredWidget");

  Result<std::string> nested = Serialize(Object(
      ObjectList{Object(1), Object(ObjectMap{{"w", Object::Make(SerUnregisteredWidget{})}})}));
  ASSERT_FALSE(nested.ok());
  QK_EXPECT_CONTAINS(nested.status().message(), "SerUnregisteredWidget");
}

TEST(SerializeTest, SerializeIsDeterministic) {
  Object value(ObjectMap{{"b", Object(1)}, {"a", Object(ObjectList{Object("x"), Object(2.5)})}});
  Result<std::string> first = Serialize(value);
  Result<std::string> second = Serialize(Object(value.As<ObjectMap>()));
  QK_ASSERT_OK(first);
  QK_ASSERT_OK(second);
  EXPECT_EQ(*first, *second);
}

TEST(SerializeTest, EncoderDecoderPrimitives) {
  Encoder out;
  out.ArrayHeader(7);
  out.Nil();
  out.Bool(true);
  out.Int(-123456789012LL);
  out.Double(0.125);
  out.String("text");
  out.Binary(std::string_view("\x00\x01\x02", 3));
  out.MapHeader(1);
  out.String("k");
  out.WriteObject(Object(ObjectList{Object(1), Object("two")}));
  std::string bytes(out.bytes());

  Decoder in(bytes);
  EXPECT_FALSE(in.AtEnd());
  EXPECT_EQ(in.ArrayHeader(), 7u);
  EXPECT_TRUE(in.IsNil());
  in.Nil();
  EXPECT_FALSE(in.IsNil());
  EXPECT_TRUE(in.Bool());
  EXPECT_EQ(in.Int(), -123456789012LL);
  EXPECT_EQ(in.Double(), 0.125);
  EXPECT_EQ(in.String(), "text");
  EXPECT_EQ(in.Binary(), std::string("\x00\x01\x02", 3));
  EXPECT_EQ(in.MapHeader(), 1u);
  EXPECT_EQ(in.String(), "k");
  EXPECT_EQ(in.ReadObject(), Object(ObjectList{Object(1), Object("two")}));
  EXPECT_TRUE(in.AtEnd());
}

TEST(SerializeTest, DecoderThrowsTypeErrorOnWrongKindOrEnd) {
  Encoder out;
  out.String("not a number");
  std::string bytes(out.bytes());
  Decoder wrong_kind(bytes);
  std::optional<Error> error = test::CatchError([&] { (void)wrong_kind.Int(); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status().code(), StatusCode::kTypeError);

  Decoder empty(std::string_view{});
  EXPECT_TRUE(empty.AtEnd());
  std::optional<Error> exhausted = test::CatchError([&] { (void)empty.Int(); });
  ASSERT_TRUE(exhausted.has_value());
  EXPECT_EQ(exhausted->status().code(), StatusCode::kTypeError);
}

TEST(SerializeTest, UnknownTypeNameFails) {
  RegisterTestTypes();
  // Serialize a registered type, then rename it in the bytes to a name of the same length
  // that nobody registered (independent of the exact wire format).
  Result<std::string> bytes = Serialize(Object::Make(SerPoint{1, 2, "p"}));
  QK_ASSERT_OK(bytes);
  const std::string known = "test.serialize.point";
  const std::string unknown = "test.serialize.pXint";
  size_t at = bytes->find(known);
  ASSERT_NE(at, std::string::npos) << "the type name is not in the serialized bytes";
  std::string renamed = *bytes;
  renamed.replace(at, known.size(), unknown);
  Result<Object> result(Status::Internal("unset"));
  EXPECT_NO_THROW(result = Deserialize(renamed));
  ASSERT_FALSE(result.ok());
  QK_EXPECT_CONTAINS(result.status().message(), unknown);
}

TEST(SerializeTest, FailingUserDecodeGivesError) {
  RegisterTestTypes();
  Result<std::string> bytes = Serialize(Object::Make(SerBadDecode{5}));
  QK_ASSERT_OK(bytes);
  Result<Object> back(Status::Internal("unset"));
  EXPECT_NO_THROW(back = Deserialize(*bytes));
  EXPECT_FALSE(back.ok());
}

TEST(SerializeTest, MalformedInputFails) {
  for (const std::string& bytes :
       // Empty input, a byte MessagePack never uses, truncated arrays/strings/maps (some
       // announcing ~4 billion elements), a value followed by trailing bytes.
       {std::string(), std::string("\xc1", 1), std::string("\x92", 1),
        std::string("\x92\xa5int64", 7), std::string("\xa5int", 4),
        std::string("\xdd\xff\xff\xff\xff", 5), std::string("\xdf\xff\xff\xff\xff", 5),
        std::string("\x92\xa4list\xdd\xff\xff\xff\xff", 11), std::string("\xc6\xff\xff\xff\xff", 5),
        std::string("garbage!")}) {
    Result<Object> result(Status::Internal("unset"));
    EXPECT_NO_THROW(result = Deserialize(bytes));
    EXPECT_FALSE(result.ok()) << "accepted " << bytes.size() << " malformed bytes";
  }
}

TEST(SerializeTest, EveryTruncationFails) {
  RegisterTestTypes();
  Object value(ObjectList{Object(1), Object("two"), Object(3.5), Object(Bytes{"four"}),
                          Object(ObjectMap{{"five", Object(5)}}),
                          Object::Make(SerPoint{6, 6.5, "six"}),
                          Object::Make(std::vector<int64_t>{7, 8})});
  Result<std::string> bytes = Serialize(value);
  QK_ASSERT_OK(bytes);
  for (size_t length = 0; length < bytes->size(); ++length) {
    Result<Object> result(Status::Internal("unset"));
    EXPECT_NO_THROW(result = Deserialize(std::string_view(*bytes).substr(0, length)));
    EXPECT_FALSE(result.ok()) << "accepted a prefix of length " << length;
  }
  EXPECT_EQ(RoundTrip(value), value);
}

TEST(SerializeTest, RandomGarbageNeverCrashes) {
  RegisterTestTypes();
  std::mt19937_64 random(12345);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(random() % 48, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xff);
    EXPECT_NO_THROW((void)Deserialize(bytes));
  }
  // Mutations of valid encodings.
  Object value(ObjectList{Object(1), Object("two"), Object(ObjectMap{{"k", Object(2.0)}}),
                          Object::Make(SerPoint{1, 2, "p"}), Object(Bytes{"b"})});
  Result<std::string> valid = Serialize(value);
  QK_ASSERT_OK(valid);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = *valid;
    int flips = 1 + static_cast<int>(random() % 3);
    for (int f = 0; f < flips; ++f) {
      bytes[random() % bytes.size()] = static_cast<char>(random() & 0xff);
    }
    EXPECT_NO_THROW((void)Deserialize(bytes));
  }
}

}  // namespace
}  // namespace quokka
