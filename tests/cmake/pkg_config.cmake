# Builds consumer.cpp with nothing but `pkg-config --cflags --libs mldp` against the installed prefix,
# then runs it.
set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs mldp OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config could not resolve mldp from ${PREFIX}/share/pkgconfig")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(extra UNIX_COMMAND "${CXXFLAGS}")
execute_process(COMMAND "${CXX}" -std=c++17 ${extra} "${SOURCE}" ${flags} -o "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "compiling with the pkg-config flags failed: ${flags}")
endif()
execute_process(COMMAND "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the pkg-config consumer failed")
endif()
