# SPDX-License-Identifier: Apache-2.0
# Warning and sanitizer flags shared by every target of the project.

add_library(authdiag_warnings INTERFACE)
target_compile_options(authdiag_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wformat=2
  -Wimplicit-fallthrough -Wcast-function-type
  $<$<BOOL:${AUTHDIAG_WERROR}>:-Werror>)

# Code that includes httpd/APR headers cannot be -Wold-style-cast clean (their macros expand
# to C casts); everything else is held to it.
add_library(authdiag_strict_warnings INTERFACE)
target_link_libraries(authdiag_strict_warnings INTERFACE authdiag_warnings)
target_compile_options(authdiag_strict_warnings INTERFACE -Wold-style-cast -Wconversion
  -Wsign-conversion)

if(AUTHDIAG_SANITIZE)
  string(REPLACE ";" "," _authdiag_sanitizers "${AUTHDIAG_SANITIZE}")
  add_compile_options(-fsanitize=${_authdiag_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=${_authdiag_sanitizers})
endif()
