# Runs at install time (install(SCRIPT) from resources/CMakeLists.txt, component `artemis`): the
# systemd units and the config file, whose paths depend on the prefix, which is known only then
# (`cmake --install --prefix P`; cpack installs with /usr). Prefix /usr: the config file goes to
# /etc/artemis as Debian has it; any other prefix P: P/etc/artemis. Expects ARTEMIS_RESOURCES
# (the source resources/ directory) and ARTEMIS_UNIT_DIR (where to write the configured units).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(ARTEMIS_CONFDIR /etc/artemis)
else()
    set(ARTEMIS_CONFDIR ${CMAKE_INSTALL_PREFIX}/etc/artemis)
endif()
set(ARTEMIS_BINDIR ${CMAKE_INSTALL_PREFIX}/bin)
set(ARTEMIS_DOCDIR ${CMAKE_INSTALL_PREFIX}/share/doc/artemis)

set(_units)
foreach(_unit artemis.service artemis-worker@.service)
    configure_file(${ARTEMIS_RESOURCES}/systemd/${_unit}.in ${ARTEMIS_UNIT_DIR}/${_unit} @ONLY)
    list(APPEND _units ${ARTEMIS_UNIT_DIR}/${_unit})
endforeach()
file(INSTALL DESTINATION ${CMAKE_INSTALL_PREFIX}/lib/systemd/system TYPE FILE FILES ${_units})
file(INSTALL DESTINATION ${ARTEMIS_CONFDIR} TYPE FILE FILES ${ARTEMIS_RESOURCES}/artemis.conf)
