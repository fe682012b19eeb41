// The precompiled header of the instrumented trees (-DDATAMCP_PCH=ON, CMakeLists.txt): the
// standard headers most sources include and nlohmann/json, which most reach and which is
// almost half of an object's parse time. Headers only, no macros: each file still includes
// what it uses (the normal build, without it, checks that).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
