#pragma once
// The whole public API of Quokka: include this header.

#include "quokka/cluster.h"
#include "quokka/dataset.h"
#include "quokka/executor.h"
#include "quokka/graph.h"
#include "quokka/object.h"
#include "quokka/partition.h"
#include "quokka/reader.h"
#include "quokka/serialize.h"
#include "quokka/stats.h"
#include "quokka/status.h"
#include "quokka/version.h"
