// AWS credential and region resolution: environment, shared credentials file, config file,
// AWS_PROFILE, and messages that never carry a secret.

#include "aws/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "test_util.h"

namespace quokka::aws {
namespace {

namespace fs = std::filesystem;

constexpr char kKeyId[] = "AKIAQUOKKATEST000001";
constexpr char kSecret[] = "s3cr3t/QUOKKA+never-print-me";
constexpr char kToken[] = "t0ken-QUOKKA-never-print-me==";

const char* const kVariables[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",       "AWS_SESSION_TOKEN",
    "AWS_PROFILE",       "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
    "AWS_REGION",        "AWS_DEFAULT_REGION",          "HOME"};

/// Each test starts with none of the AWS variables set and HOME pointing at an empty temporary
/// directory (so the real ~/.aws is never read); everything is restored afterwards.
class CredentialsTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      const char* value = getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      unsetenv(name);
    }
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("quokka_credentials_test_" + std::to_string(getpid()) +
                                        "_" + std::to_string(counter++));
    fs::create_directories(dir_ / "home");
    setenv("HOME", (dir_ / "home").c_str(), 1);
  }

  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  std::string Write(const std::string& relative, const std::string& contents) {
    fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
    return path.string();
  }

  static void ExpectNoSecrets(const std::string& text) {
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  }

  fs::path dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

std::string KeyPair(const std::string& key_id, const std::string& secret) {
  return "aws_access_key_id = " + key_id + "\naws_secret_access_key = " + secret + "\n";
}

// ---------------------------------------------------------------------------------------------
// Environment

TEST_F(CredentialsTest, FromEnvironment) {
  setenv("AWS_ACCESS_KEY_ID", kKeyId, 1);
  setenv("AWS_SECRET_ACCESS_KEY", kSecret, 1);
  setenv("AWS_SESSION_TOKEN", kToken, 1);
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
  EXPECT_EQ(credentials->secret_access_key, kSecret);
  EXPECT_EQ(credentials->session_token, kToken);
  EXPECT_EQ(credentials->source, "environment");
  EXPECT_FALSE(credentials->empty());
}

TEST_F(CredentialsTest, EnvironmentWinsOverFiles) {
  Write("home/.aws/credentials", "[default]\n" + KeyPair("AKIAFILE", "file-secret"));
  setenv("AWS_ACCESS_KEY_ID", kKeyId, 1);
  setenv("AWS_SECRET_ACCESS_KEY", kSecret, 1);
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
  EXPECT_TRUE(credentials->session_token.empty());
}

TEST_F(CredentialsTest, HalfAKeyPairInTheEnvironmentIsInvalid) {
  setenv("AWS_SECRET_ACCESS_KEY", kSecret, 1);
  auto credentials = ResolveCredentials();
  ASSERT_EQ(credentials.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(credentials.status().message(), "AWS_ACCESS_KEY_ID");
  ExpectNoSecrets(credentials.status().ToString());

  unsetenv("AWS_SECRET_ACCESS_KEY");
  setenv("AWS_ACCESS_KEY_ID", kKeyId, 1);
  credentials = ResolveCredentials();
  ASSERT_EQ(credentials.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(credentials.status().message(), "AWS_SECRET_ACCESS_KEY");
}

// ---------------------------------------------------------------------------------------------
// Profile files

TEST_F(CredentialsTest, SharedCredentialsFileDefaultProfile) {
  std::string path = Write("creds", "# comment\n[default]\n" + KeyPair(kKeyId, kSecret) +
                                        "aws_session_token = " + kToken + "\n[other]\n" +
                                        KeyPair("AKIAOTHER", "other-secret"));
  setenv("AWS_SHARED_CREDENTIALS_FILE", path.c_str(), 1);
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
  EXPECT_EQ(credentials->secret_access_key, kSecret);
  EXPECT_EQ(credentials->session_token, kToken);
  EXPECT_EQ(credentials->source, path + " [default]");
}

TEST_F(CredentialsTest, AwsProfileSelectsTheSection) {
  std::string path = Write("creds", "[default]\n" + KeyPair(kKeyId, kSecret) + "[other]\n" +
                                        KeyPair("AKIAOTHER", "other-secret"));
  setenv("AWS_SHARED_CREDENTIALS_FILE", path.c_str(), 1);
  setenv("AWS_PROFILE", "other", 1);
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIAOTHER");
  EXPECT_EQ(credentials->source, path + " [other]");

  // A profile named by the caller wins over AWS_PROFILE.
  credentials = ResolveCredentials("default");
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
}

TEST_F(CredentialsTest, NamedProfileSkipsTheEnvironment) {
  std::string path = Write("creds", "[other]\n" + KeyPair("AKIAOTHER", "other-secret"));
  setenv("AWS_SHARED_CREDENTIALS_FILE", path.c_str(), 1);
  setenv("AWS_ACCESS_KEY_ID", kKeyId, 1);
  setenv("AWS_SECRET_ACCESS_KEY", kSecret, 1);
  auto credentials = ResolveCredentials("other");
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIAOTHER");
  // Without a name, the environment comes first.
  credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
}

TEST_F(CredentialsTest, ConfigFileProfileSections) {
  std::string config =
      Write("config", "[default]\n" + KeyPair("AKIADEFAULT", "d") + "region = eu-west-1\n" +
                          "[profile dev]\n" + KeyPair("AKIADEV", "dev-secret") + "[prod]\n" +
                          KeyPair("AKIAWRONG", "wrong"));
  setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "missing").c_str(), 1);
  setenv("AWS_CONFIG_FILE", config.c_str(), 1);

  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(credentials->source, config + " [default]");

  credentials = ResolveCredentials("dev");
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIADEV");
  EXPECT_EQ(credentials->source, config + " [profile dev]");

  // In the config file a profile is "[profile NAME]"; a bare "[prod]" does not count.
  credentials = ResolveCredentials("prod");
  EXPECT_EQ(credentials.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(credentials.status().message(), "no [profile prod]");
}

TEST_F(CredentialsTest, CredentialsFileWinsOverConfigFile) {
  Write("home/.aws/credentials", "[default]\n" + KeyPair("AKIACREDS", "c"));
  Write("home/.aws/config", "[default]\n" + KeyPair("AKIACONFIG", "c"));
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIACREDS");
  EXPECT_EQ(credentials->source, (dir_ / "home/.aws/credentials").string() + " [default]");
}

TEST_F(CredentialsTest, DefaultPathsAreUnderHome) {
  Write("home/.aws/config", "[profile dev]\n" + KeyPair("AKIADEV", "dev-secret"));
  setenv("AWS_PROFILE", "dev", 1);
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIADEV");
  EXPECT_EQ(credentials->source, (dir_ / "home/.aws/config").string() + " [profile dev]");
}

TEST_F(CredentialsTest, HomeUnset) {
  unsetenv("HOME");
  std::string path = Write("creds", "[default]\n" + KeyPair(kKeyId, kSecret));
  setenv("AWS_SHARED_CREDENTIALS_FILE", path.c_str(), 1);
  setenv("AWS_CONFIG_FILE", (dir_ / "missing-config").c_str(), 1);
  auto credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
  EXPECT_EQ(ResolveRegion(), "us-east-1");

  // An empty HOME is the same as none. (With neither HOME nor the file variables, the default
  // files are looked up through the password database; not exercised here, so that the test
  // never reads the real ~/.aws of whoever runs it.)
  setenv("HOME", "", 1);
  credentials = ResolveCredentials();
  QK_ASSERT_OK(credentials);
  EXPECT_EQ(credentials->access_key_id, kKeyId);
}

// ---------------------------------------------------------------------------------------------
// Failures and their messages

TEST_F(CredentialsTest, MissingCredentialsSaysWhereItLooked) {
  auto credentials = ResolveCredentials();
  ASSERT_EQ(credentials.status().code(), StatusCode::kNotFound);
  const std::string& message = credentials.status().message();
  QK_EXPECT_CONTAINS(message, "profile 'default'");
  QK_EXPECT_CONTAINS(message, "environment");
  QK_EXPECT_CONTAINS(message, (dir_ / "home/.aws/credentials").string());
  QK_EXPECT_CONTAINS(message, (dir_ / "home/.aws/config").string());

  Write("home/.aws/credentials", "[someone-else]\n" + KeyPair(kKeyId, kSecret));
  credentials = ResolveCredentials();
  ASSERT_EQ(credentials.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(credentials.status().message(), "no [default]");
  ExpectNoSecrets(credentials.status().ToString());
}

TEST_F(CredentialsTest, UnsupportedProfileKindsAreNamed) {
  Write("home/.aws/config",
        "[profile assumed]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = x\n");
  auto credentials = ResolveCredentials("assumed");
  ASSERT_EQ(credentials.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(credentials.status().message(), "role_arn");
}

TEST_F(CredentialsTest, SecretsNeverAppearInMessages) {
  // Half a key pair, with a token: an error, which names keys but not values.
  std::string path = Write("creds", std::string("[default]\naws_secret_access_key = ") + kSecret +
                                        "\naws_session_token = " + kToken + "\n");
  setenv("AWS_SHARED_CREDENTIALS_FILE", path.c_str(), 1);
  auto credentials = ResolveCredentials();
  ASSERT_EQ(credentials.status().code(), StatusCode::kInvalid);
  QK_EXPECT_CONTAINS(credentials.status().message(), path);
  QK_EXPECT_CONTAINS(credentials.status().message(), "no aws_access_key_id");
  ExpectNoSecrets(credentials.status().ToString());

  Credentials full{kKeyId, kSecret, kToken, "environment"};
  std::string description = full.Describe();
  ExpectNoSecrets(description);
  EXPECT_EQ(description.find(kKeyId), std::string::npos) << description;
  QK_EXPECT_CONTAINS(description, "AKIA...");
  QK_EXPECT_CONTAINS(description, "environment");
  EXPECT_EQ(Credentials{}.Describe(), "no credentials");
}

// ---------------------------------------------------------------------------------------------
// ReadIniFile

TEST_F(CredentialsTest, ReadIniFile) {
  std::string path = Write("ini",
                           "\xEF\xBB\xBF; leading comment\r\n"
                           "orphan = ignored\n"
                           "[default]\r\n"
                           "  Region =  us-west-2  \r\n"
                           "# another comment\n"
                           "AWS_Access_Key_Id=AKIA\n"
                           "s3 =\n"
                           "    region = nested-is-not-the-profile-region\n"
                           "    max_concurrent_requests = 20\n"
                           "output = json\n"
                           "[profile    spaced]\n"
                           "token = a=b==\n"
                           "not a key value line\n");
  auto ini = ReadIniFile(path);
  QK_ASSERT_OK(ini);
  ASSERT_EQ(ini->size(), 2u);
  const auto& section = ini->at("default");
  EXPECT_EQ(section.at("region"), "us-west-2");
  EXPECT_EQ(section.at("aws_access_key_id"), "AKIA");
  EXPECT_EQ(section.at("output"), "json");
  EXPECT_EQ(section.count("max_concurrent_requests"), 0u);
  EXPECT_EQ(section.count("orphan"), 0u);
  EXPECT_EQ(ini->at("profile spaced").at("token"), "a=b==");
}

TEST_F(CredentialsTest, ReadIniFileErrors) {
  auto missing = ReadIniFile((dir_ / "nope").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  QK_EXPECT_CONTAINS(missing.status().message(), (dir_ / "nope").string());

  fs::create_directories(dir_ / "a-directory");
  auto directory = ReadIniFile((dir_ / "a-directory").string());
  EXPECT_EQ(directory.status().code(), StatusCode::kIOError);
  QK_EXPECT_CONTAINS(directory.status().message(), (dir_ / "a-directory").string());

  // An existing credentials file that cannot be read is an error, not "no credentials".
  setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "a-directory").c_str(), 1);
  EXPECT_EQ(ResolveCredentials().status().code(), StatusCode::kIOError);

  if (geteuid() != 0) {  // root reads anything
    std::string unreadable = Write("unreadable", "[default]\n");
    fs::permissions(unreadable, fs::perms::none);
    EXPECT_EQ(ReadIniFile(unreadable).status().code(), StatusCode::kIOError);
  }
}

// ---------------------------------------------------------------------------------------------
// Region

TEST_F(CredentialsTest, RegionOrder) {
  EXPECT_EQ(ResolveRegion(), "us-east-1");

  Write("home/.aws/config",
        "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n"
        "[profile empty]\noutput = json\n");
  EXPECT_EQ(ResolveRegion(), "eu-west-1");
  EXPECT_EQ(ResolveRegion("dev"), "ap-south-1");
  EXPECT_EQ(ResolveRegion("empty"), "us-east-1");
  setenv("AWS_PROFILE", "dev", 1);
  EXPECT_EQ(ResolveRegion(), "ap-south-1");

  setenv("AWS_DEFAULT_REGION", "sa-east-1", 1);
  EXPECT_EQ(ResolveRegion(), "sa-east-1");
  EXPECT_EQ(ResolveRegion("dev"), "sa-east-1");

  setenv("AWS_REGION", "ca-central-1", 1);
  EXPECT_EQ(ResolveRegion(), "ca-central-1");

  // The region comes from the config file, not the credentials file.
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  unsetenv("AWS_PROFILE");
  fs::remove(dir_ / "home/.aws/config");
  Write("home/.aws/credentials", "[default]\nregion = us-west-1\n");
  EXPECT_EQ(ResolveRegion(), "us-east-1");
}

}  // namespace
}  // namespace quokka::aws
