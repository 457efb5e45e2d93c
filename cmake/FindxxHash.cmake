# FindxxHash — locates xxhash.h for mldp, which uses xxHash in header-only mode (XXH_INLINE_ALL), so
# no library is linked. Prefers xxHash's own CMake package when one is installed.
#
# Defines the imported target xxHash::xxhash and xxHash_FOUND, xxHash_INCLUDE_DIR, xxHash_VERSION.
find_package(xxHash CONFIG QUIET)
if(xxHash_FOUND AND TARGET xxHash::xxhash)
    return()
endif()

find_path(xxHash_INCLUDE_DIR NAMES xxhash.h)
if(xxHash_INCLUDE_DIR AND EXISTS "${xxHash_INCLUDE_DIR}/xxhash.h")
    file(STRINGS "${xxHash_INCLUDE_DIR}/xxhash.h" _xxh_ver REGEX "^#define XXH_VERSION_(MAJOR|MINOR|RELEASE) +[0-9]+")
    foreach(_part MAJOR MINOR RELEASE)
        string(REGEX MATCH "XXH_VERSION_${_part} +([0-9]+)" _m "${_xxh_ver}")
        set(_xxh_${_part} "${CMAKE_MATCH_1}")
    endforeach()
    set(xxHash_VERSION "${_xxh_MAJOR}.${_xxh_MINOR}.${_xxh_RELEASE}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxHash REQUIRED_VARS xxHash_INCLUDE_DIR VERSION_VAR xxHash_VERSION)

if(xxHash_FOUND AND NOT TARGET xxHash::xxhash)
    add_library(xxHash::xxhash INTERFACE IMPORTED)
    set_target_properties(xxHash::xxhash PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${xxHash_INCLUDE_DIR}")
endif()
mark_as_advanced(xxHash_INCLUDE_DIR)
