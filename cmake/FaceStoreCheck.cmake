# Configure-time guard (issue #23): the faces (gui/, headless/, app/) read and write hunts and
# schedules through core's service layer (core/service/huntcatalog.h, HuntCatalog), never
# through the store underneath. Fails configuration when a face's source
#   - calls store() on anything (HuntCatalog has none; LocalStack::store() is for tests), or
#     catalogStore() (core/service's own renderers only);
#   - includes a core/store/ header other than the ones that declare types the faces pass
#     around (ResultQuery/ResultPage, LineRef, ResultSort, NodeHistory).
# The message names the file, the line and the way in to use instead. Runs at configure time
# and again as the test face_store_guard (cmake -P), which sees edits made since configuring.
if(CMAKE_SCRIPT_MODE_FILE)
    cmake_policy(VERSION 3.21) # IN_LIST, as in the project
endif()

function(artemis_check_face_store)
    set(allowed resultstore.h resultindex.h resultsort.h nodehistory.h)
    set(sources "")
    set(depends CONFIGURE_DEPENDS)
    if(CMAKE_SCRIPT_MODE_FILE)
        set(depends "") # run by ctest (face_store_guard): reads the sources as they are now
    endif()
    foreach(face IN ITEMS gui headless app)
        file(GLOB_RECURSE found ${depends}
            "${PROJECT_SOURCE_DIR}/${face}/*.cpp" "${PROJECT_SOURCE_DIR}/${face}/*.h")
        list(APPEND sources ${found})
    endforeach()
    set(problems "")
    foreach(source IN LISTS sources)
        file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${source}")
        file(STRINGS "${source}" lines
            REGEX "(->|\\.)store\\(\\)|catalogStore\\(|#include \"core/store/")
        foreach(line IN LISTS lines)
            string(STRIP "${line}" line)
            if(line MATCHES "^//")
                continue()
            endif()
            if(line MATCHES "#include \"core/store/([^\"]+)\"")
                if(NOT CMAKE_MATCH_1 IN_LIST allowed)
                    string(APPEND problems "\n  ${rel}: ${line}")
                endif()
            elseif(line MATCHES "(->|\\.)store\\(\\)|catalogStore\\(")
                string(APPEND problems "\n  ${rel}: ${line}")
            endif()
        endforeach()
    endforeach()
    if(problems)
        message(FATAL_ERROR "A face reaches past the service layer into the store:${problems}\n"
            "Faces read and write hunts and schedules through HuntCatalog "
            "(core/service/huntcatalog.h: readResults, findResult, forEachResult, resultsFile, "
            "selectLines, listStored, dataDir, checkStorage) or the Scheduler; add what is "
            "missing there. core/store/ headers allowed in faces (types only): ${allowed}.")
    endif()
endfunction()
artemis_check_face_store()
