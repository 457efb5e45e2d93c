# mldp_target_warnings(<target>) — warnings for mldp's own targets (tests, benchmarks, examples) only;
# nothing here reaches a consumer of mldp::mldp.
function(mldp_target_warnings target)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${MLDP_WERROR}>:/WX>)
    else()
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow
                               $<$<BOOL:${MLDP_WERROR}>:-Werror>)
    endif()
endfunction()
