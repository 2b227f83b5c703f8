# SPDX-License-Identifier: Apache-2.0
# Finds httpd through apxs and APR/apr-util through their config scripts.
# Defines Httpd::Headers, APR::APR, APR::Util and the APACHE_* path variables.

find_program(APXS_EXECUTABLE NAMES apxs apxs2 REQUIRED)
find_program(APR_CONFIG_EXECUTABLE NAMES apr-1-config REQUIRED)
find_program(APU_CONFIG_EXECUTABLE NAMES apu-1-config REQUIRED)

function(_authdiag_apxs_query variable key)
  execute_process(COMMAND ${APXS_EXECUTABLE} -q ${key} OUTPUT_VARIABLE value
                  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  set(${variable} "${value}" PARENT_SCOPE)
endfunction()

_authdiag_apxs_query(APACHE_INCLUDEDIR INCLUDEDIR)
_authdiag_apxs_query(APACHE_LIBEXECDIR LIBEXECDIR)
_authdiag_apxs_query(APACHE_SBINDIR SBINDIR)
_authdiag_apxs_query(APACHE_TARGET TARGET)
_authdiag_apxs_query(APACHE_SYSCONFDIR SYSCONFDIR)
set(APACHE_HTTPD_BINARY "${APACHE_SBINDIR}/${APACHE_TARGET}")

execute_process(COMMAND ${APR_CONFIG_EXECUTABLE} --includedir OUTPUT_VARIABLE APR_INCLUDEDIR
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${APR_CONFIG_EXECUTABLE} --cppflags OUTPUT_VARIABLE APR_CPPFLAGS
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${APR_CONFIG_EXECUTABLE} --link-ld OUTPUT_VARIABLE APR_LINK
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${APU_CONFIG_EXECUTABLE} --includedir OUTPUT_VARIABLE APU_INCLUDEDIR
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${APU_CONFIG_EXECUTABLE} --link-ld OUTPUT_VARIABLE APU_LINK
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
separate_arguments(APR_CPPFLAGS)
separate_arguments(APR_LINK)
separate_arguments(APU_LINK)

add_library(APR::APR INTERFACE IMPORTED)
target_include_directories(APR::APR SYSTEM INTERFACE ${APR_INCLUDEDIR})
target_compile_options(APR::APR INTERFACE ${APR_CPPFLAGS})
target_link_libraries(APR::APR INTERFACE ${APR_LINK})

add_library(APR::Util INTERFACE IMPORTED)
target_include_directories(APR::Util SYSTEM INTERFACE ${APU_INCLUDEDIR})
target_link_libraries(APR::Util INTERFACE APR::APR ${APU_LINK})

# Headers only: a module resolves httpd's symbols from the host process at load time.
add_library(Httpd::Headers INTERFACE IMPORTED)
target_include_directories(Httpd::Headers SYSTEM INTERFACE ${APACHE_INCLUDEDIR})
target_link_libraries(Httpd::Headers INTERFACE APR::Util)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ApacheHttpd
  REQUIRED_VARS APACHE_INCLUDEDIR APACHE_LIBEXECDIR APACHE_HTTPD_BINARY APR_INCLUDEDIR)
