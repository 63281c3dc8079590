# Installation: libgat.so.<version> (SONAME libgat.so.<major>) and libgat.a, the headers
# under include/gat/, the gat program, Cora and Citeseer under share/gat/data, gat.pc for
# pkg-config and a CMake package (find_package(gat) -> gat::gat, gat::gat_static);
# `cpack -G DEB` packs the same tree into a Debian package.
include(CMakePackageConfigHelpers)

install(TARGETS gat_shared gatlib EXPORT gatTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Runtime NAMELINK_COMPONENT Development
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS gat RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Runtime)
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/gat DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT Development FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/data/cora ${CMAKE_CURRENT_SOURCE_DIR}/data/citeseer
        DESTINATION ${CMAKE_INSTALL_DATADIR}/gat/data COMPONENT Runtime)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/data/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/gat/data
        COMPONENT Runtime)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT Runtime)
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        COMPONENT Development FILES_MATCHING PATTERN "*.c")

# pkg-config: `pkg-config --cflags --libs gat` links the shared library; add --static for
# libgat.a with its dependencies.
# The prefix is found from the .pc file's own place, so a moved install tree still works.
file(RELATIVE_PATH _gat_pc_up "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" _gat_pc_up "${_gat_pc_up}")
set(GAT_PC_PREFIX "\${pcfiledir}/${_gat_pc_up}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/gat.pc.in ${CMAKE_CURRENT_BINARY_DIR}/gat.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gat.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)

# CMake package.
set(GAT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gat)
install(EXPORT gatTargets NAMESPACE gat:: DESTINATION ${GAT_CMAKE_DIR} COMPONENT Development)
set(GAT_CONFIG_HAVE_BLAS ${OPENBLAS_FOUND})
set(GAT_CONFIG_HAVE_OPENMP ${OpenMP_C_FOUND})
configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/gatConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/gatConfig.cmake INSTALL_DESTINATION ${GAT_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gatConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gatConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/gatConfigVersion.cmake
        DESTINATION ${GAT_CMAKE_DIR} COMPONENT Development)

# Debian package: one package `gat` with everything above. Its Depends come from
# dpkg-shlibdeps on the installed ELF files (the runtime packages libgat.so and gat link).
set(CPACK_PACKAGE_NAME gat)
set(CPACK_PACKAGE_VENDOR "gat")
set(CPACK_PACKAGE_CONTACT "gat maintainers <gat@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Graph Attention Networks in C: library, gat program, Cora and Citeseer")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
# The package installs where the build was configured to (the data folder compiled into
# the library is <prefix>/share/gat/data): configure with -DCMAKE_INSTALL_PREFIX=/usr.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "pkg-config, cmake, libcairo2-dev, libigraph-dev, libopenblas-dev, zlib1g-dev")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Trains, evaluates and looks inside Graph Attention Networks\n(Velickovic et al. 2018): libgat (shared and static) with its headers,\npkg-config and CMake package files, the gat command, and the Cora and\nCiteseer citation graphs in share/gat/data.")
include(CPack)
