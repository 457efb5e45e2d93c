# Runs EXE, writes its standard output to OUT and fails unless OUT equals GOLDEN byte for byte.
execute_process(COMMAND "${EXE}" OUTPUT_FILE "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${EXE} exited with ${rc}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${OUT}" "${GOLDEN}" RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
    execute_process(COMMAND diff -u "${GOLDEN}" "${OUT}")
    message(FATAL_ERROR "seeded outputs differ from ${GOLDEN} (written to ${OUT}); a change of a seeded "
                        "algorithm must be deliberate: update the golden file and the CHANGELOG together")
endif()
