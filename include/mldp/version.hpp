// mldp — library version.
#pragma once

#define MLDP_VERSION_MAJOR 0
#define MLDP_VERSION_MINOR 1
#define MLDP_VERSION_PATCH 0
#define MLDP_VERSION_STRING "0.1.0"

namespace mldp {

/// Library version as "major.minor.patch".
inline constexpr const char* version_string = MLDP_VERSION_STRING;

}  // namespace mldp
