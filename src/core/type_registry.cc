// The registry of codecs: stable type name <-> C++ type.
#include <mutex>
#include <shared_mutex>
#include <typeindex>
#include <unordered_map>

#include "quokka/serialize.h"

namespace quokka {
namespace internal {
void RegisterBuiltinCodecs();  // serialize.cc
}

namespace {

struct Registry {
  std::shared_mutex mutex;
  std::unordered_map<std::type_index, std::unique_ptr<TypeCodec>> by_type;
  std::unordered_map<std::string, const TypeCodec*> by_name;
};

Registry& RawRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

namespace internal {
// Inserts without first registering the built-ins (used by the built-ins themselves).
Status InsertCodec(TypeCodec codec) {
  if (codec.name.empty())
    return Status::Invalid("a type must be registered under a non-empty name");
  if (codec.type == nullptr || !codec.encode || !codec.decode) {
    return Status::Invalid("type '" + codec.name + "' registered without type, encode or decode");
  }
  Registry& registry = RawRegistry();
  std::unique_lock lock(registry.mutex);
  auto by_name = registry.by_name.find(codec.name);
  if (by_name != registry.by_name.end()) {
    if (*by_name->second->type == *codec.type) return Status::OK();
    return Status::Invalid("type name '" + codec.name + "' is already registered for " +
                           internal::DemangledName(*by_name->second->type));
  }
  auto by_type = registry.by_type.find(std::type_index(*codec.type));
  if (by_type != registry.by_type.end()) {
    return Status::Invalid(internal::DemangledName(*codec.type) + " is already registered as '" +
                           by_type->second->name + "'");
  }
  auto owned = std::make_unique<TypeCodec>(std::move(codec));
  registry.by_name.emplace(owned->name, owned.get());
  registry.by_type.emplace(std::type_index(*owned->type), std::move(owned));
  return Status::OK();
}
}  // namespace internal

namespace {
void EnsureBuiltins() {
  static std::once_flag builtins;
  std::call_once(builtins, [] { internal::RegisterBuiltinCodecs(); });
}
}  // namespace

Status RegisterCodec(TypeCodec codec) {
  EnsureBuiltins();
  return internal::InsertCodec(std::move(codec));
}

const TypeCodec* FindCodec(const std::type_info& type) {
  EnsureBuiltins();
  Registry& registry = RawRegistry();
  std::shared_lock lock(registry.mutex);
  auto it = registry.by_type.find(std::type_index(type));
  return it == registry.by_type.end() ? nullptr : it->second.get();
}

const TypeCodec* FindCodec(std::string_view name) {
  EnsureBuiltins();
  Registry& registry = RawRegistry();
  std::shared_lock lock(registry.mutex);
  auto it = registry.by_name.find(std::string(name));
  return it == registry.by_name.end() ? nullptr : it->second;
}

}  // namespace quokka
