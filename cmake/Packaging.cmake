# Debian packages (`cpack -G DEB` in a build directory; docs/operations.md, "Installing from the
# package"):
#   artemis      artemis-headless (serve, hunt, worker, ...), the systemd units artemis.service
#                and artemis-worker@.service, /etc/artemis/artemis.conf (a conffile), the man
#                pages and the docs; its maintainer scripts create the `artemis` system user and
#                /var/lib/artemis (resources/debian/).
#   artemis-gui  the desktop GUI `artemis`, its .desktop file, icon and man page.
# Depends comes from dpkg-shlibdeps (Debian `dpkg-dev`): Debian's own libqt6*, libhiredis, ...
# packages, and the service's has none of the GUI's (libqt6widgets6, libqt6gui6).
# tests/package/package-test.sh builds both and checks them.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME artemis)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Artemis")
set(CPACK_PACKAGE_CONTACT "Artemis maintainers <artemis@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "fetch a JSON path from many nodes, store every answer, serve them")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL artemis)
if(TARGET artemis)
    list(APPEND CPACK_COMPONENTS_ALL artemis-gui)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_ARTEMIS_PACKAGE_NAME artemis)
set(CPACK_DEBIAN_ARTEMIS_PACKAGE_SECTION net)
# adduser: postinst creates the system user.
set(CPACK_DEBIAN_ARTEMIS_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_ARTEMIS_PACKAGE_SUGGESTS "redis-server")
set(CPACK_DEBIAN_ARTEMIS_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/resources/debian/conffiles
    ${CMAKE_SOURCE_DIR}/resources/debian/postinst
    ${CMAKE_SOURCE_DIR}/resources/debian/prerm
    ${CMAKE_SOURCE_DIR}/resources/debian/postrm)
set(CPACK_COMPONENT_ARTEMIS_DESCRIPTION
    "Artemis service and command line: fetch a JSON path from many nodes\n"
    "artemis-headless serves a REST API (systemd unit artemis.service) that fetches\n"
    "http://NODE/PATH from many nodes, stores every JSON answer and answers questions over\n"
    "them; hunt, values, results and diff do the same from the command line, and\n"
    "artemis-worker@.service runs distributed workers fed through Redis Streams.")
string(REPLACE ";" "" CPACK_COMPONENT_ARTEMIS_DESCRIPTION "${CPACK_COMPONENT_ARTEMIS_DESCRIPTION}")

set(CPACK_DEBIAN_ARTEMIS-GUI_PACKAGE_NAME artemis-gui)
set(CPACK_DEBIAN_ARTEMIS-GUI_PACKAGE_SECTION net)
set(CPACK_COMPONENT_ARTEMIS-GUI_DESCRIPTION
    "Artemis desktop GUI: fetch a JSON path from many nodes, browse and compare\n"
    "The Qt Widgets front end of Artemis: hunts stored locally or on an Artemis service,\n"
    "results browsing, fleet values and diffs, schedules and alerts.")
string(REPLACE ";" "" CPACK_COMPONENT_ARTEMIS-GUI_DESCRIPTION
       "${CPACK_COMPONENT_ARTEMIS-GUI_DESCRIPTION}")

include(CPack)
