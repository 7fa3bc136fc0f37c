# Regenerates the version header at every build so that binaries carry the git revision they were built from.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE Y90_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE Y90_GIT_DIRTY OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT Y90_GIT_REVISION)
  set(Y90_GIT_REVISION "unknown")
elseif(Y90_GIT_DIRTY)
  set(Y90_GIT_REVISION "${Y90_GIT_REVISION}-dirty")
endif()
set(PROJECT_VERSION ${VERSION})
configure_file(${SRC}/sim/core/version.h.in ${OUT}.new @ONLY)
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.new ${OUT})
