#pragma once
// The S3 tests' server: a real s3rver started by scripts/s3rver.sh on a free loopback port for
// the whole test binary (main.cc), and the endpoint tests point quokka at.

#include <string>

namespace quokka::testing {

/// The endpoint (http://127.0.0.1:PORT) of the s3rver main() started.
const std::string& S3Endpoint();

}  // namespace quokka::testing
