// The distributed tests' main: the same binary serves as its own worker processes
// (LocalCluster::Processes starts it with --quokka-worker), so test-only types reach workers.
#include <gtest/gtest.h>

#include "dist_test_types.h"
#include "quokka/init.h"

int main(int argc, char** argv) {
  quokka::testing::RegisterDistTestTypes();
  quokka::Init(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
