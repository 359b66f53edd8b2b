#pragma once
// AWS credentials and region, resolved the way the AWS CLI and SDKs do:
//   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
//   2. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials),
//      profile AWS_PROFILE (default "default");
//   3. the config file (AWS_CONFIG_FILE, default ~/.aws/config), section "[profile NAME]" or
//      "[default]".
// Region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region` in the config file,
// then "us-east-1". Secrets never appear in messages: Credentials::Describe() names only the
// access key id's first 4 characters and where the credentials came from.

#include <map>
#include <string>

#include "quokka/status.h"

namespace quokka::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty unless temporary credentials
  std::string source;         ///< "environment", "/root/.aws/credentials [default]", ...

  bool empty() const { return access_key_id.empty(); }
  /// e.g. "access key AKID... from environment" (no secret).
  std::string Describe() const;
};

/// Reads "KEY=VALUE" lines of INI sections ("[name]"); '#' and ';' start comments. Returns
/// section name -> key -> value (keys lower-cased, values trimmed). IOError names the file
/// when it exists but cannot be read; NotFound when it does not exist.
Result<std::map<std::string, std::map<std::string, std::string>>> ReadIniFile(
    const std::string& path);

/// Credentials for `profile` ("" = AWS_PROFILE or "default"). As in the AWS CLI, a profile
/// named here (not "") skips the environment variables. Only static keys are read (no
/// role_arn, credential_process, SSO or instance metadata). NotFound with a message saying
/// which places were searched when there are none; Invalid when a place has half a key pair.
Result<Credentials> ResolveCredentials(const std::string& profile = "");

/// The region for `profile` (see above).
std::string ResolveRegion(const std::string& profile = "");

}  // namespace quokka::aws
