#pragma once
// Init: the first call in the main() of a program that uses Quokka on a distributed cluster.
//
// Every machine of a cluster runs the same program binary (SPMD): the driver builds and runs
// task graphs; the same binary started with worker flags becomes a worker that hosts channels
// and never returns from Init:
//
//   ./my_program --quokka-worker --redis HOST:PORT [--password-file F] [--tls-dir DIR |
//                --insecure] [--name NAME] [--listen ADDR:PORT] [--advertise HOST:PORT]
//                [--threads N]
//
// Init also registers the built-in readers, executors and types for shipping; register your
// own types (RegisterType<T>) before calling it, so that a worker knows them too.

namespace quokka {

/// \brief Register built-in types; if argv asks for a worker, run as one and exit(status).
void Init(int argc, char** argv);

/// \brief Register the built-in readers, executors, partition functions and table types.
void RegisterBuiltinTypes();

}  // namespace quokka
