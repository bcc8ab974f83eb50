# Installation: headers, the libraries of every layer built (static, plus the shared C API), the
# CMake package (find_package(statelog): statelog::statelog and one target per layer and backend,
# with a version file) and the pkg-config file of the C API (statelog.pc). See
# docs/adr/0010-c-api-and-packaging.md. Included last, once every library target exists. The
# umbrella target exists either way; the install rules only with STATELOG_INSTALL (default: when
# statelog is the top-level project).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# statelog::statelog: everything built, for C++ programs. Named statelog_umbrella in the build
# tree because `statelog` is the command.
add_library(statelog_umbrella INTERFACE)
add_library(statelog::statelog ALIAS statelog_umbrella)
set_target_properties(statelog_umbrella PROPERTIES EXPORT_NAME statelog)
target_link_libraries(statelog_umbrella INTERFACE statelog::db statelog::fold statelog::checkpoint)
foreach(_backend rocksdb postgres)
  if(TARGET statelog_${_backend})
    target_link_libraries(statelog_umbrella INTERFACE statelog::${_backend})
  endif()
endforeach()

if(NOT STATELOG_INSTALL)
  return()
endif()

get_property(_statelog_libraries GLOBAL PROPERTY STATELOG_INSTALLED_LIBRARIES)
install(TARGETS ${_statelog_libraries} statelog_umbrella EXPORT statelogTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/statelog
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(_statelog_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/statelog)
install(EXPORT statelogTargets NAMESPACE statelog:: DESTINATION ${_statelog_cmake_dir})
set(STATELOG_CONFIG_WITH_ROCKSDB ${STATELOG_WITH_ROCKSDB})
set(STATELOG_CONFIG_WITH_POSTGRES ${STATELOG_WITH_POSTGRES})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/statelogConfig.cmake.in
  ${PROJECT_BINARY_DIR}/statelogConfig.cmake INSTALL_DESTINATION ${_statelog_cmake_dir})
# 0.x: a minor release may break the API (docs/versioning.md).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/statelogConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/statelogConfig.cmake
  ${PROJECT_BINARY_DIR}/statelogConfigVersion.cmake DESTINATION ${_statelog_cmake_dir})

# statelog.pc: the C API (libstatelog.so). The private dependencies matter only to a static
# link (pkg-config --static).
set(STATELOG_PC_REQUIRES_PRIVATE "libsecp256k1 libcrypto++ simdjson")
set(STATELOG_PC_LIBS_PRIVATE "-lstdc++ -lpthread")
if(TARGET statelog_rocksdb)
  string(APPEND STATELOG_PC_REQUIRES_PRIVATE " rocksdb")
endif()
if(TARGET statelog_postgres)
  string(APPEND STATELOG_PC_REQUIRES_PRIVATE " libpq")
endif()
# Relocatable: the prefix is found from the .pc file's own directory (cmake --install --prefix).
file(RELATIVE_PATH STATELOG_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" STATELOG_PC_TO_PREFIX "${STATELOG_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/statelog.pc.in ${PROJECT_BINARY_DIR}/statelog.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/statelog.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
