# Install rules and the Debian package (docs/operations.md, "Install").
#
# `cmake --install build` (or `DESTDIR=/stage cmake --install build`) lays out what the package
# holds: odted, odtectl and odte in bin/, the systemd unit, sysusers.d and tmpfiles.d files, the
# configuration at SYSCONFDIR/odte/odted.toml, man pages and the docs in DOCDIR (share/doc/odte,
# where the unit's Documentation= points). The default prefix is /usr, the layout the unit,
# sysusers.d and tmpfiles.d work in; `cpack -G DEB` in the build folder builds odte_VERSION_ARCH.deb.
include(GNUInstallDirs)

# Where systemd looks for units on this system (bookworm: /lib/systemd/system); outside /usr, under
# the prefix.
set(ODTE_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
set(ODTE_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
set(ODTE_TMPFILES_DIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_get_variable(ODTE_PC_UNIT_DIR systemd systemdsystemunitdir)
  endif()
  if(ODTE_PC_UNIT_DIR)
    set(ODTE_SYSTEMD_UNIT_DIR "${ODTE_PC_UNIT_DIR}")
  endif()
endif()
set(ODTE_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/odte")

# The unit names /usr/bin/odted, /etc/odte and /usr/share/doc/odte; installed elsewhere, it names
# where things are.
file(READ ${PROJECT_SOURCE_DIR}/deploy/odted.service ODTE_UNIT)
string(REPLACE "/usr/bin/odted" "${CMAKE_INSTALL_FULL_BINDIR}/odted" ODTE_UNIT "${ODTE_UNIT}")
string(REPLACE "/etc/odte/" "${ODTE_CONFIG_DIR}/" ODTE_UNIT "${ODTE_UNIT}")
string(REPLACE "/usr/share/doc/odte/" "${CMAKE_INSTALL_FULL_DOCDIR}/" ODTE_UNIT "${ODTE_UNIT}")
set(ODTE_PACKAGE_DIR ${CMAKE_BINARY_DIR}/package)
file(CONFIGURE OUTPUT ${ODTE_PACKAGE_DIR}/odted.service CONTENT "${ODTE_UNIT}" @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/deploy/odted.service)

set(ODTE_DEB_REVISION 1)
set(ODTE_DEB_VERSION "${PROJECT_VERSION}-${ODTE_DEB_REVISION}")
set(ODTE_DEB_MAINTAINER "odte maintainers <maintainers@users.noreply.h-seed-6aaac82f.example>")

# Man pages and the Debian changelog, compressed as Debian wants them (gzip -9n: no name, no time).
find_program(ODTE_GZIP gzip REQUIRED)
configure_file(${PROJECT_SOURCE_DIR}/deploy/debian/changelog.in ${ODTE_PACKAGE_DIR}/changelog.Debian @ONLY)
set(ODTE_GZIPPED ${ODTE_PACKAGE_DIR}/changelog.Debian.gz)
add_custom_command(OUTPUT ${ODTE_PACKAGE_DIR}/changelog.Debian.gz
  COMMAND ${ODTE_GZIP} -9n -c ${ODTE_PACKAGE_DIR}/changelog.Debian > ${ODTE_PACKAGE_DIR}/changelog.Debian.gz
  DEPENDS ${ODTE_PACKAGE_DIR}/changelog.Debian VERBATIM)
foreach(page odted odtectl odte)
  add_custom_command(OUTPUT ${ODTE_PACKAGE_DIR}/${page}.1.gz
    COMMAND ${ODTE_GZIP} -9n -c ${PROJECT_SOURCE_DIR}/deploy/man/${page}.1 > ${ODTE_PACKAGE_DIR}/${page}.1.gz
    DEPENDS ${PROJECT_SOURCE_DIR}/deploy/man/${page}.1 VERBATIM)
  list(APPEND ODTE_GZIPPED ${ODTE_PACKAGE_DIR}/${page}.1.gz)
endforeach()
add_custom_target(odte_package_files ALL DEPENDS ${ODTE_GZIPPED})

# Directories the package creates are 0755 whatever the builder's umask.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

install(TARGETS odted odtectl odte RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${ODTE_PACKAGE_DIR}/odted.service DESTINATION ${ODTE_SYSTEMD_UNIT_DIR})
install(FILES deploy/debian/odte.sysusers DESTINATION ${ODTE_SYSUSERS_DIR} RENAME odte.conf)
install(FILES deploy/debian/odte.tmpfiles DESTINATION ${ODTE_TMPFILES_DIR} RENAME odte.conf)
# No secret in it (the API key is a credential), so readable by all: the service reads it as odte.
install(FILES deploy/odted.paper-live.toml DESTINATION ${ODTE_CONFIG_DIR} RENAME odted.toml)
install(FILES ${ODTE_PACKAGE_DIR}/odted.1.gz ${ODTE_PACKAGE_DIR}/odtectl.1.gz ${ODTE_PACKAGE_DIR}/odte.1.gz
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md deploy/debian/copyright ${ODTE_PACKAGE_DIR}/changelog.Debian.gz
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES deploy/debian/odte.lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME odte)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
# The other sample configurations, for an operator to start from.
install(FILES deploy/odted.paper-live.toml deploy/odted.live.toml deploy/odted.replay.toml
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# ---- the Debian package ---------------------------------------------------------------------------
configure_file(${PROJECT_SOURCE_DIR}/deploy/debian/conffiles.in ${ODTE_PACKAGE_DIR}/control/conffiles @ONLY)
foreach(script postinst prerm postrm)
  file(COPY ${PROJECT_SOURCE_DIR}/deploy/debian/${script} DESTINATION ${ODTE_PACKAGE_DIR}/control
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME odte)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "${ODTE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ODTE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${ODTE_DEB_REVISION})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers and systemd-tmpfiles run from the postinst.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
# The synopsis is the project's DESCRIPTION (CPACK_PACKAGE_DESCRIPTION_SUMMARY); this is the rest.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "odted trades same-day-expiry SPX and SPY option spreads from the Massive
market data feed, through a paper broker or a FIX 4.4 broker, with every order
journaled ahead so that a restart resumes the day. It runs as a hardened
systemd service; odtectl watches and steers it over a Unix socket, and odte
records, replays and reports trading days.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${ODTE_PACKAGE_DIR}/control/conffiles ${ODTE_PACKAGE_DIR}/control/postinst
  ${ODTE_PACKAGE_DIR}/control/prerm ${ODTE_PACKAGE_DIR}/control/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
