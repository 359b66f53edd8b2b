// Tests for quokka::Object: kinds, typed access, equality, sharing and sizes.

#include "quokka/object.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include "quokka/status.h"
#include "test_util.h"

namespace quokka {
namespace {

struct ObjectTestPoint {
  int64_t x = 0;
  int64_t y = 0;
  bool operator==(const ObjectTestPoint& other) const = default;
};

// No operator==: compared by identity.
struct ObjectTestOpaque {
  int value = 0;
};

struct ObjectTestSized {
  size_t size = 0;
  size_t byte_size() const { return size; }
};

TEST(ObjectTest, DefaultIsNull) {
  Object object;
  EXPECT_TRUE(object.is_null());
  EXPECT_EQ(object.kind(), Object::Kind::kNull);
  EXPECT_FALSE(object.Is<int64_t>());
  EXPECT_FALSE(object.Is<std::string>());
  EXPECT_EQ(object.GetIf<int64_t>(), nullptr);
  EXPECT_EQ(object.GetIf<std::string>(), nullptr);
  EXPECT_EQ(object.type(), typeid(void));
  EXPECT_EQ(object, Object());
}

TEST(ObjectTest, IntegersAreInlineInt64) {
  Object a(5);
  EXPECT_EQ(a.kind(), Object::Kind::kInt64);
  EXPECT_TRUE(a.Is<int64_t>());
  EXPECT_FALSE(a.Is<double>());
  EXPECT_EQ(a.As<int64_t>(), 5);
  EXPECT_EQ(a.type(), typeid(int64_t));

  EXPECT_EQ(Object(uint8_t{200}).As<int64_t>(), 200);
  EXPECT_EQ(Object(int16_t{-7}).As<int64_t>(), -7);
  EXPECT_EQ(Object(size_t{123456789}).As<int64_t>(), 123456789);
  EXPECT_EQ(Object(std::numeric_limits<int64_t>::min()).As<int64_t>(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Object(std::numeric_limits<int64_t>::max()).As<int64_t>(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Object::Make<int>(3).kind(), Object::Kind::kInt64);
  EXPECT_EQ(Object::Make<int>(3).As<int64_t>(), 3);
}

TEST(ObjectTest, DoublesAreInline) {
  Object d(2.5);
  EXPECT_EQ(d.kind(), Object::Kind::kDouble);
  EXPECT_TRUE(d.Is<double>());
  EXPECT_FALSE(d.Is<int64_t>());
  EXPECT_DOUBLE_EQ(d.As<double>(), 2.5);
  EXPECT_EQ(d.type(), typeid(double));
  Object f = Object::Make(1.5f);
  EXPECT_EQ(f.kind(), Object::Kind::kDouble);
  EXPECT_DOUBLE_EQ(f.As<double>(), 1.5);
}

TEST(ObjectTest, StringsAndBytesAreDistinct) {
  Object text("abc");
  Object text2(std::string("abc"));
  Object bytes(Bytes{"abc"});
  EXPECT_EQ(text.kind(), Object::Kind::kBoxed);
  EXPECT_TRUE(text.Is<std::string>());
  EXPECT_FALSE(text.Is<Bytes>());
  EXPECT_EQ(text.As<std::string>(), "abc");
  EXPECT_EQ(text, text2);
  EXPECT_TRUE(bytes.Is<Bytes>());
  EXPECT_FALSE(bytes.Is<std::string>());
  EXPECT_EQ(bytes.As<Bytes>().data, "abc");
  EXPECT_NE(text, bytes);
  EXPECT_EQ(text.type(), typeid(std::string));
  EXPECT_EQ(Object(std::string()).As<std::string>(), "");
}

TEST(ObjectTest, ListsAndMapsNest) {
  ObjectMap inner{{"k", Object(1)}, {"s", Object("v")}};
  Object list(ObjectList{Object(1), Object(2.0), Object("three"), Object(inner), Object()});
  ASSERT_TRUE(list.Is<ObjectList>());
  const ObjectList& items = list.As<ObjectList>();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].As<int64_t>(), 1);
  EXPECT_DOUBLE_EQ(items[1].As<double>(), 2.0);
  EXPECT_EQ(items[2].As<std::string>(), "three");
  EXPECT_EQ(items[3].As<ObjectMap>().at("s").As<std::string>(), "v");
  EXPECT_TRUE(items[4].is_null());
  Object map(ObjectMap{{"list", list}});
  EXPECT_EQ(map.As<ObjectMap>().at("list"), list);
}

TEST(ObjectTest, UserTypes) {
  Object point = Object::Make(ObjectTestPoint{3, 4});
  EXPECT_EQ(point.kind(), Object::Kind::kBoxed);
  EXPECT_TRUE(point.Is<ObjectTestPoint>());
  EXPECT_FALSE(point.Is<std::string>());
  EXPECT_FALSE(point.Is<int64_t>());
  ASSERT_NE(point.GetIf<ObjectTestPoint>(), nullptr);
  EXPECT_EQ(point.GetIf<ObjectTestPoint>()->x, 3);
  EXPECT_EQ(point.As<ObjectTestPoint>().y, 4);
  EXPECT_EQ(point.type(), typeid(ObjectTestPoint));
  EXPECT_EQ(point.GetIf<std::string>(), nullptr);
}

TEST(ObjectTest, AsWithWrongTypeThrowsTypeError) {
  auto expect_type_error = [](auto&& fn, const std::string& mention) {
    std::optional<Error> error = test::CatchError(fn);
    ASSERT_TRUE(error.has_value()) << "no quokka::Error thrown";
    EXPECT_EQ(error->status().code(), StatusCode::kTypeError) << test::Describe(*error);
    QK_EXPECT_CONTAINS(error->status().message(), mention);
  };
  expect_type_error([] { (void)Object(5).As<std::string>(); }, "string");
  expect_type_error([] { (void)Object("x").As<int64_t>(); }, "string");
  expect_type_error([] { (void)Object(5).As<ObjectTestPoint>(); }, "ObjectTestPoint");
  expect_type_error([] { (void)Object::Make(ObjectTestPoint{}).As<double>(); }, "ObjectTestPoint");
  // int64_t's C++ name varies ("long", "long long"), so only the code is checked here.
  expect_type_error([] { (void)Object().As<int64_t>(); }, "");
  expect_type_error([] { (void)Object(1.0).As<int64_t>(); }, "");
}

TEST(ObjectTest, EqualityByContent) {
  EXPECT_EQ(Object(7), Object(7));
  EXPECT_NE(Object(7), Object(8));
  EXPECT_EQ(Object(0.5), Object(0.5));
  EXPECT_NE(Object(7), Object("7"));
  EXPECT_NE(Object(), Object(0));
  EXPECT_EQ(Object(std::string(1000, 'x')), Object(std::string(1000, 'x')));
  EXPECT_EQ(Object(ObjectList{Object(1), Object(ObjectList{Object("a")})}),
            Object(ObjectList{Object(1), Object(ObjectList{Object("a")})}));
  EXPECT_NE(Object(ObjectList{Object(1), Object(2)}), Object(ObjectList{Object(2), Object(1)}));
  EXPECT_NE(Object(ObjectList{Object(1)}), Object(ObjectList{Object(1), Object(1)}));
  EXPECT_EQ(Object(ObjectMap{{"a", Object(1)}}), Object(ObjectMap{{"a", Object(1)}}));
  EXPECT_NE(Object(ObjectMap{{"a", Object(1)}}), Object(ObjectMap{{"a", Object(2)}}));
  EXPECT_NE(Object(ObjectMap{{"a", Object(1)}}), Object(ObjectMap{{"b", Object(1)}}));
  EXPECT_EQ(Object::Make(ObjectTestPoint{1, 2}), Object::Make(ObjectTestPoint{1, 2}));
  EXPECT_NE(Object::Make(ObjectTestPoint{1, 2}), Object::Make(ObjectTestPoint{2, 1}));
  EXPECT_EQ(Object(Bytes{"\x01\x02"}), Object(Bytes{"\x01\x02"}));
}

TEST(ObjectTest, TypesWithoutEqualityCompareByIdentity) {
  Object a = Object::Make(ObjectTestOpaque{1});
  Object b = Object::Make(ObjectTestOpaque{1});
  Object a_copy = a;
  EXPECT_EQ(a, a_copy);
  EXPECT_NE(a, b);
}

TEST(ObjectTest, CopiesShareTheBoxedValue) {
  Object text(std::string(100, 'q'));
  Object copy = text;
  EXPECT_EQ(copy.GetIf<std::string>(), text.GetIf<std::string>());
  Object list(ObjectList{Object(1), Object(2)});
  Object list_copy = list;
  EXPECT_EQ(list_copy.GetIf<ObjectList>(), list.GetIf<ObjectList>());
  Object point = Object::Make(ObjectTestPoint{1, 1});
  Object moved_from = point;
  Object moved = std::move(moved_from);
  EXPECT_EQ(moved.GetIf<ObjectTestPoint>(), point.GetIf<ObjectTestPoint>());
}

TEST(ObjectTest, ByteSize) {
  EXPECT_EQ(Object(1).byte_size(), sizeof(Object));
  EXPECT_EQ(Object(1.0).byte_size(), sizeof(Object));
  EXPECT_GE(Object(std::string(5000, 'a')).byte_size(), 5000u);
  EXPECT_GE(Object(Bytes{std::string(3000, 'b')}).byte_size(), 3000u);
  ObjectList list;
  for (int i = 0; i < 10; ++i) list.push_back(Object(std::string(1000, 'c')));
  EXPECT_GE(Object(list).byte_size(), 10000u);
  ObjectMap map{{"a", Object(std::string(2000, 'd'))}, {"b", Object(std::string(2000, 'e'))}};
  EXPECT_GE(Object(map).byte_size(), 4000u);
  EXPECT_EQ(Object::Make(ObjectTestSized{12345}).byte_size(), 12345u);
}

TEST(ObjectTest, TypeNames) {
  EXPECT_EQ(Object(1).type_name(), "int64");
  EXPECT_EQ(Object(1.0).type_name(), "double");
  EXPECT_EQ(Object("s").type_name(), "string");
  EXPECT_EQ(Object(Bytes{"b"}).type_name(), "bytes");
  EXPECT_EQ(Object(ObjectList{}).type_name(), "list");
  EXPECT_EQ(Object(ObjectMap{}).type_name(), "map");
  EXPECT_EQ(Object().type_name(), "null");
  // Unregistered user type: its demangled C++ name.
  QK_EXPECT_CONTAINS(Object::Make(ObjectTestOpaque{}).type_name(), "ObjectTestOpaque");
}

TEST(ObjectTest, ToStringShowsValues) {
  QK_EXPECT_CONTAINS(Object(42).ToString(), "42");
  QK_EXPECT_CONTAINS(Object(-17).ToString(), "-17");
  QK_EXPECT_CONTAINS(Object("hello").ToString(), "hello");
  QK_EXPECT_CONTAINS(Object(ObjectList{Object(11), Object(22)}).ToString(), "22");
  QK_EXPECT_CONTAINS(Object(ObjectMap{{"key", Object(5)}}).ToString(), "key");
  EXPECT_FALSE(Object().ToString().empty());
}

TEST(ObjectTest, ConcurrentCopiesAreSafe) {
  Object shared(ObjectList{Object(std::string(64, 'z')), Object(1)});
  std::atomic<int64_t> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      int64_t local = 0;
      for (int i = 0; i < 20000; ++i) {
        Object copy = shared;
        local += static_cast<int64_t>(copy.As<ObjectList>().size());
      }
      total += local;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(total.load(), 4 * 20000 * 2);
  EXPECT_EQ(shared.As<ObjectList>()[0].As<std::string>(), std::string(64, 'z'));
}

}  // namespace
}  // namespace quokka
