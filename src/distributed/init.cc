#include "quokka/init.h"

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "quokka/csv.h"
#include "quokka/executors.h"
#include "quokka/status.h"
#include "worker_main.h"

namespace quokka {

void RegisterBuiltinTypes() {
  // Static libraries drop unreferenced registration objects: register explicitly.
  Status status = RegisterIoTypes();
  if (status.ok()) status = RegisterExecutorTypes();
  if (!status.ok()) {
    std::cerr << "quokka: cannot register the built-in types: " << status.message() << "\n";
    std::exit(1);
  }
}

void Init(int argc, char** argv) {
  RegisterBuiltinTypes();
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quokka-worker") == 0) {
      std::exit(dist::WorkerMain(argc, argv, 1, argv[0]));
    }
  }
}

}  // namespace quokka
