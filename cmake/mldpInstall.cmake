# Install and export rules: headers, the mldp::mldp (and mldp::blas) targets, a relocatable
# mldpConfig.cmake with find_dependency for each dependency, an architecture-independent version
# file, the FindxxHash module it needs, and a pkg-config file.
include(CMakePackageConfigHelpers)

set(MLDP_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_DATADIR}/cmake/mldp" CACHE STRING "Where mldpConfig.cmake is installed")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(_mldp_targets mldp)
if(MLDP_HAVE_BLAS)
    list(APPEND _mldp_targets mldp_blas)
endif()
install(TARGETS ${_mldp_targets} EXPORT mldpTargets)
install(EXPORT mldpTargets NAMESPACE mldp:: DESTINATION "${MLDP_CMAKE_INSTALL_DIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/mldpConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/mldpConfig.cmake"
    INSTALL_DESTINATION "${MLDP_CMAKE_INSTALL_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/mldpConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion
    ARCH_INDEPENDENT)
install(FILES
    "${PROJECT_BINARY_DIR}/mldpConfig.cmake"
    "${PROJECT_BINARY_DIR}/mldpConfigVersion.cmake"
    "${PROJECT_SOURCE_DIR}/cmake/FindxxHash.cmake"
    DESTINATION "${MLDP_CMAKE_INSTALL_DIR}")

if(MLDP_FMT_HEADER_ONLY)
    set(MLDP_PC_FMT "")
    set(MLDP_PC_CFLAGS "-DFMT_HEADER_ONLY=1")
else()
    set(MLDP_PC_FMT "fmt")
    set(MLDP_PC_CFLAGS "")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/mldp.pc.in" "${PROJECT_BINARY_DIR}/mldp.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/mldp.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
