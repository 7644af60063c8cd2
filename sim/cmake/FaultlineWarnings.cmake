# Project-wide compile options as an INTERFACE target, linked by every faultline target.
add_library(faultline_options INTERFACE)
target_compile_options(faultline_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                   -Wno-sign-conversion)
# g++ 12 reports a false -Wrestrict inside std::string's operator+ at -O2 (GCC bug 105651).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(faultline_options INTERFACE -Wno-restrict)
endif()
if(FAULTLINE_SANITIZE)
  target_compile_options(faultline_options INTERFACE -fsanitize=address,undefined
                                                     -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(faultline_options INTERFACE -fsanitize=address,undefined)
endif()
