# Man pages generated at build time with help2man (Debian `help2man`) from each binary's --help
# and --version, so they cannot drift from the options: artemis-headless(1), one page per
# sub-command (artemis-headless-serve(1), ...), and artemis(1) for the GUI. Installed gzipped to
# share/man/man1 with the binary's component. Without help2man there are no man pages (a warning
# says so; scripts/deps.sh installs it).
find_program(ARTEMIS_HELP2MAN help2man)
if(NOT ARTEMIS_HELP2MAN)
    message(WARNING "help2man not found: no man pages (apt install help2man)")
    return()
endif()

# artemis_man_page(PAGE TARGET COMPONENT DESCRIPTION [SUBCOMMAND])
function(artemis_man_page page target component description)
    set(dir ${CMAKE_BINARY_DIR}/man)
    set(include ${dir}/${page}.h2m)
    set(args --no-info --include=${include} --output=${dir}/${page}.1)
    # The page's own name, and where the rest is written down.
    set(name "${page} \\- ${description}")
    file(WRITE ${include} "[NAME]\n${name}\n[SEE ALSO]\n"
         "The README and docs/*.md in /usr/share/doc/artemis;\n"
         ".BR artemis-headless (1).\n")
    # A sub-command's page: its --help, and its own name in the title line.
    set(retitle ${CMAKE_COMMAND} -E true)
    if(ARGC GREATER 4)
        list(APPEND args "--help-option=${ARGV4} --help" --version-string=${PROJECT_VERSION})
        string(TOUPPER ${page} title)
        set(retitle sed -i "s/^\\.TH ARTEMIS-HEADLESS /.TH ${title} /" ${dir}/${page}.1)
    endif()
    add_custom_command(OUTPUT ${dir}/${page}.1.gz
        # offscreen: the GUI's --help needs no display. No leak report: it is stderr, and the
        # exit code help2man checks.
        COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen ASAN_OPTIONS=detect_leaks=0
                ${ARTEMIS_HELP2MAN} ${args} $<TARGET_FILE:${target}>
        COMMAND ${retitle}
        COMMAND gzip -9nf ${dir}/${page}.1
        DEPENDS ${target}
        COMMENT "help2man ${page}(1)"
        VERBATIM)
    add_custom_target(artemis_man_${page} ALL DEPENDS ${dir}/${page}.1.gz)
    install(FILES ${dir}/${page}.1.gz DESTINATION share/man/man1 COMPONENT ${component})
endfunction()

artemis_man_page(artemis-headless artemis-headless artemis
    "the Artemis service, CLI and distributed worker")
# One page per sub-command: "NAME|DESCRIPTION".
foreach(entry
        "serve|serve the Artemis REST API"
        "hunt|fetch a path from many nodes once and store the answers"
        "worker|fetch the jobs of a distributed Artemis coordinator"
        "values|groups, stats and outliers of one JSON path across a hunt's nodes"
        "results|a hunt's results as NDJSON or CSV"
        "diff|where one node's answer differs from the majority")
    string(REPLACE "|" ";" entry "${entry}")
    list(GET entry 0 command)
    list(GET entry 1 description)
    artemis_man_page(artemis-headless-${command} artemis-headless artemis "${description}"
        ${command})
endforeach()
if(TARGET artemis)
    artemis_man_page(artemis artemis artemis-gui "the Artemis desktop GUI")
endif()
