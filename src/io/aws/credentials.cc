#include "aws/credentials.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

namespace quokka::aws {

namespace {

using IniFile = std::map<std::string, std::map<std::string, std::string>>;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/// The value of an environment variable, or "" when it is unset.
std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

/// The home directory: $HOME, else the password database; "" if neither knows.
std::string HomeDirectory() {
  std::string home = Env("HOME");
  if (!home.empty()) return home;
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found &&
      found->pw_dir) {
    return found->pw_dir;
  }
  return "";
}

/// `variable` if set, else ~/.aws/<file>; "" when there is no home directory either.
std::string ConfigPath(const char* variable, const char* file) {
  std::string path = Env(variable);
  if (!path.empty()) {
    if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
      std::string home = HomeDirectory();
      if (!home.empty()) path = home + path.substr(1);
    }
    return path;
  }
  std::string home = HomeDirectory();
  if (home.empty()) return "";
  return home + "/.aws/" + file;
}

std::string ProfileName(const std::string& profile) {
  if (!profile.empty()) return profile;
  std::string from_env = Env("AWS_PROFILE");
  return from_env.empty() ? "default" : from_env;
}

/// The config file names profiles "[profile NAME]" (and the default one "[default]").
const std::map<std::string, std::string>* ConfigSection(const IniFile& ini,
                                                        const std::string& profile) {
  auto it = ini.find("profile " + profile);
  if (it != ini.end()) return &it->second;
  if (profile == "default") {
    it = ini.find("default");
    if (it != ini.end()) return &it->second;
  }
  return nullptr;
}

std::string Get(const std::map<std::string, std::string>& section, const std::string& key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

/// Credentials from one profile section, or a note on why there are none. Messages name keys,
/// never values.
struct SectionLookup {
  bool found = false;
  Status error;
  Credentials credentials;
  std::string note;
};

SectionLookup FromSection(const std::map<std::string, std::string>& section,
                          const std::string& where) {
  SectionLookup out;
  std::string key_id = Get(section, "aws_access_key_id");
  std::string secret = Get(section, "aws_secret_access_key");
  if (!key_id.empty() && !secret.empty()) {
    out.found = true;
    out.credentials.access_key_id = std::move(key_id);
    out.credentials.secret_access_key = std::move(secret);
    out.credentials.session_token = Get(section, "aws_session_token");
    if (out.credentials.session_token.empty()) {
      out.credentials.session_token = Get(section, "aws_security_token");
    }
    out.credentials.source = where;
    return out;
  }
  if (!key_id.empty() || !secret.empty()) {
    out.error =
        Status::Invalid(where + " has " +
                        (key_id.empty() ? "aws_secret_access_key but no aws_access_key_id"
                                        : "aws_access_key_id but no aws_secret_access_key"));
    return out;
  }
  // Ways to get credentials that this resolver does not implement: say so rather than
  // leaving the user to wonder why a working CLI profile is not picked up.
  std::vector<std::string> unsupported;
  for (const char* key : {"role_arn", "credential_process", "sso_session", "sso_start_url",
                          "web_identity_token_file", "credential_source"}) {
    if (section.count(key)) unsupported.emplace_back(key);
  }
  if (unsupported.empty()) {
    out.note = "no aws_access_key_id";
  } else {
    out.note = "uses";
    for (const auto& key : unsupported) out.note += " " + key;
    out.note += ", which is not supported (only static keys are)";
  }
  return out;
}

}  // namespace

std::string Credentials::Describe() const {
  if (empty()) return "no credentials";
  std::string out = "access key " + access_key_id.substr(0, 4) + "...";
  if (!session_token.empty()) out += " (temporary)";
  if (!source.empty()) out += " from " + source;
  return out;
}

Result<IniFile> ReadIniFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    int error = errno;
    if (error == ENOENT || error == ENOTDIR) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(error));
  }
  if (S_ISDIR(info.st_mode)) return Status::IOError(path + ": is a directory");
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::IOError(path + ": cannot be opened for reading");
  std::stringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return Status::IOError(path + ": read failed");

  IniFile ini;
  std::map<std::string, std::string>* section = nullptr;
  bool in_nested_block = false;  // indented lines under "key =" (e.g. "s3 =" in the config)
  std::string line;
  bool first_line = true;
  while (std::getline(contents, line)) {
    std::string_view view = line;
    if (first_line && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);  // UTF-8 BOM
    first_line = false;
    bool indented = !view.empty() && (view.front() == ' ' || view.front() == '\t');
    view = Trim(view);
    if (view.empty() || view.front() == '#' || view.front() == ';') continue;
    if (view.front() == '[') {
      size_t close = view.find(']');
      if (close == std::string_view::npos) continue;  // not a section header; ignore the line
      std::string name(Trim(view.substr(1, close - 1)));
      // "[profile   name]" means "[profile name]".
      if (name.rfind("profile", 0) == 0 && name.size() > 7 && IsSpace(name[7])) {
        name = "profile " + std::string(Trim(std::string_view(name).substr(7)));
      }
      section = &ini[name];
      in_nested_block = false;
      continue;
    }
    if (section == nullptr) continue;  // a key before any section
    if (indented && in_nested_block) continue;
    size_t equals = view.find('=');
    if (equals == std::string_view::npos) continue;
    std::string key = Lower(Trim(view.substr(0, equals)));
    std::string value(Trim(view.substr(equals + 1)));
    if (key.empty()) continue;
    in_nested_block = value.empty();
    (*section)[key] = std::move(value);
  }
  return ini;
}

Result<Credentials> ResolveCredentials(const std::string& profile) {
  const std::string name = ProfileName(profile);
  std::vector<std::string> searched;

  // 1. Environment. As in the AWS CLI, a profile named by the caller wins over it.
  if (profile.empty()) {
    std::string key_id = Env("AWS_ACCESS_KEY_ID");
    std::string secret = Env("AWS_SECRET_ACCESS_KEY");
    if (!key_id.empty() && !secret.empty()) {
      Credentials credentials;
      credentials.access_key_id = std::move(key_id);
      credentials.secret_access_key = std::move(secret);
      credentials.session_token = Env("AWS_SESSION_TOKEN");
      credentials.source = "environment";
      return credentials;
    }
    if (!key_id.empty()) {
      return Status::Invalid("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    if (!secret.empty()) {
      return Status::Invalid("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    }
    searched.push_back("environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: not set)");
  } else {
    searched.push_back("environment (skipped: profile '" + name + "' was asked for)");
  }

  // 2. The shared credentials file: sections are bare profile names.
  std::string credentials_path = ConfigPath("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  if (credentials_path.empty()) {
    searched.push_back("shared credentials file (no HOME and no AWS_SHARED_CREDENTIALS_FILE)");
  } else {
    auto ini = ReadIniFile(credentials_path);
    if (ini.ok()) {
      auto it = ini->find(name);
      if (it == ini->end()) {
        searched.push_back(credentials_path + " (no [" + name + "])");
      } else {
        std::string where = credentials_path + " [" + name + "]";
        SectionLookup lookup = FromSection(it->second, where);
        if (!lookup.error.ok()) return lookup.error;
        if (lookup.found) return lookup.credentials;
        searched.push_back(where + " (" + lookup.note + ")");
      }
    } else if (ini.status().code() == StatusCode::kNotFound) {
      searched.push_back(credentials_path + " (no such file)");
    } else {
      return ini.status();
    }
  }

  // 3. The config file: "[profile NAME]", or "[default]".
  std::string config_path = ConfigPath("AWS_CONFIG_FILE", "config");
  if (config_path.empty()) {
    searched.push_back("config file (no HOME and no AWS_CONFIG_FILE)");
  } else {
    auto ini = ReadIniFile(config_path);
    if (ini.ok()) {
      const auto* section = ConfigSection(*ini, name);
      std::string header = name == "default" ? "[default]" : "[profile " + name + "]";
      if (section == nullptr) {
        searched.push_back(config_path + " (no " + header + ")");
      } else {
        std::string where = config_path + " " + header;
        SectionLookup lookup = FromSection(*section, where);
        if (!lookup.error.ok()) return lookup.error;
        if (lookup.found) return lookup.credentials;
        searched.push_back(where + " (" + lookup.note + ")");
      }
    } else if (ini.status().code() == StatusCode::kNotFound) {
      searched.push_back(config_path + " (no such file)");
    } else {
      return ini.status();
    }
  }

  std::string message = "no AWS credentials for profile '" + name + "'; searched:";
  for (const auto& place : searched) message += " " + place + ";";
  message.pop_back();
  return Status::NotFound(message);
}

std::string ResolveRegion(const std::string& profile) {
  for (const char* variable : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string region = Env(variable);
    if (!region.empty()) return region;
  }
  std::string config_path = ConfigPath("AWS_CONFIG_FILE", "config");
  if (!config_path.empty()) {
    auto ini = ReadIniFile(config_path);
    if (ini.ok()) {
      const auto* section = ConfigSection(*ini, ProfileName(profile));
      if (section != nullptr) {
        std::string region = Get(*section, "region");
        if (!region.empty()) return region;
      }
    }
  }
  return "us-east-1";
}

}  // namespace quokka::aws
