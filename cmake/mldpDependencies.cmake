# Finds mldp's dependencies (all available as Debian packages):
#   xtensor (libxtensor-dev), {fmt} (libfmt-dev), nlohmann_json (nlohmann-json3-dev),
#   xxHash (libxxhash-dev; header-only use), the platform's threads (the validator's optional
#   parallel checks use std::thread), and optionally xtensor-blas + BLAS/LAPACK
#   (libxtensor-blas-dev, libopenblas-dev) for the mldp::blas target.
find_package(xtensor REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(xxHash REQUIRED)
find_package(Threads REQUIRED)

if(MLDP_FMT_HEADER_ONLY)
    set(MLDP_FMT_TARGET fmt::fmt-header-only)
else()
    set(MLDP_FMT_TARGET fmt::fmt)
endif()

find_package(xtensor-blas QUIET)
if(xtensor-blas_FOUND)
    set(MLDP_HAVE_BLAS ON)
else()
    set(MLDP_HAVE_BLAS OFF)
    message(STATUS "mldp: xtensor-blas not found; the mldp::blas target is not defined")
endif()
