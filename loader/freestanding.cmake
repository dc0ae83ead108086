# The loader, freestanding for i386 (acceptance point d): the same sources
# as the host library, compiled with -m32 and no libc, archived as
# libab_loader_i386.a, and proven in two ways:
#   loader_freestanding_nm  the archive needs no symbol it does not define
#                           (checked at build time too);
#   loader_proof_qemu       a bare i386 image linked with only that archive
#                           (no libc, no libgcc) loads and patches a fixture
#                           guest for a fixture wedge in QEMU.
#
# Included from loader/CMakeLists.txt after it sets AB_LOADER_SOURCES and
# AB_ABI_SOURCES.  Outputs, in ${CMAKE_BINARY_DIR}/loader/:
#   libab_loader_i386.a   target ab_loader_i386, path in AB_LOADER_I386_LIB
#   wedge-fixture.elf     the stand-in wedge (fixtures/wedge_fixture.S)  } target
#   proof-guest.elf       the fixture guest (fixtures/guest.S, through   } ab_loader_fixtures
#                         afterburn-as)
#   loader-proof.elf      the proof image (proof/), target ab_loader_proof
#
# Every freestanding object is built by an explicit command, not by
# add_library: nothing of the host build (add_compile_options, e.g. the
# ASan flags of -DAB_SANITIZE=ON, CMAKE_C_FLAGS, the build type's flags)
# can reach it.
#
# The same file is also a script (cmake -P) for the two checks; see the end.

if(NOT CMAKE_SCRIPT_MODE_FILE)

set(AB_FS_OUT ${CMAKE_BINARY_DIR}/loader)
set(AB_FS_OBJ ${AB_FS_OUT}/i386)
set(AB_FS_HERE ${CMAKE_CURRENT_LIST_DIR})
set(AB_FS_ABI ${CMAKE_CURRENT_LIST_DIR}/../abi)
file(MAKE_DIRECTORY ${AB_FS_OBJ})

# ld itself, not the compiler driver: the driver would add crt files,
# libc and libgcc, which is what we mean to prove we do not need.
if(CMAKE_LINKER)
  set(AB_FS_LD ${CMAKE_LINKER})
else()
  find_program(AB_FS_LD NAMES ld.bfd ld REQUIRED)
endif()
find_program(AB_QEMU_I386 qemu-system-i386)

# Why each flag:
#   -m32 -march=i686          i386 objects; P6, which the no-op padding
#                             needs anyway (docs/abi/site-record.md)
#   -ffreestanding            no hosted library; <stdint.h> is GCC's own
#   -fno-builtin              no special meaning for memcpy and friends
#   -fno-pic                  linked at fixed addresses; Debian's GCC
#                             defaults to PIE, which would want a GOT
#   -fno-stack-protector      no __stack_chk_fail to link against
#   -fno-tree-loop-distribute-patterns
#                             GCC would turn byte loops into memset/memcpy
#                             calls (GCC only; clang has no such flag)
#   -mgeneral-regs-only       no x87/MMX/SSE: the hypervisor runs this in
#                             ring 0 without saving FPU state
#   -fno-asynchronous-unwind-tables
#                             no .eh_frame in a kernel image
#   -O2 -Wall -Wextra -Werror -std=c11
#                             as the host build, but strict C11
# -nostdlib is a link flag; it is on the ld lines below.
set(AB_FS_CFLAGS -m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-stack-protector
  -mgeneral-regs-only -fno-asynchronous-unwind-tables -O2 -Wall -Wextra -Werror -std=c11)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND AB_FS_CFLAGS -fno-tree-loop-distribute-patterns)
endif()
set(AB_FS_INCLUDES -I${AB_FS_HERE} -I${AB_FS_ABI})

# Compile one C or .S file to ${AB_FS_OBJ}/<prefix>_<name>.o; the object's
# path is appended to the list named by out_list.  Extra flags follow.
function(ab_fs_compile out_list prefix src)
  get_filename_component(name ${src} NAME_WE)
  set(obj ${AB_FS_OBJ}/${prefix}_${name}.o)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${CMAKE_C_COMPILER} ${AB_FS_CFLAGS} ${AB_FS_INCLUDES} ${ARGN}
            -MD -MF ${obj}.d -c ${src} -o ${obj}
    DEPENDS ${src}
    DEPFILE ${obj}.d
    COMMENT "Compiling ${prefix}/${name} for i386, freestanding"
    VERBATIM)
  set(objs ${${out_list}})
  list(APPEND objs ${obj})
  set(${out_list} ${objs} PARENT_SCOPE)
endfunction()

# --- the library -----------------------------------------------------------
if(NOT AB_LOADER_SOURCES OR NOT AB_ABI_SOURCES)
  message(FATAL_ERROR "freestanding.cmake: set AB_LOADER_SOURCES and AB_ABI_SOURCES first")
endif()
set(AB_FS_LIB_OBJS)
foreach(src ${AB_LOADER_SOURCES})
  ab_fs_compile(AB_FS_LIB_OBJS loader ${src})
endforeach()
foreach(src ${AB_ABI_SOURCES})
  ab_fs_compile(AB_FS_LIB_OBJS abi ${src})
endforeach()

set(AB_LOADER_I386_LIB ${AB_FS_OUT}/libab_loader_i386.a)
set(AB_FS_NM_STAMP ${AB_FS_OBJ}/nm-checked.stamp)
add_custom_command(OUTPUT ${AB_LOADER_I386_LIB}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${AB_LOADER_I386_LIB}
  COMMAND ${CMAKE_AR} rcs ${AB_LOADER_I386_LIB} ${AB_FS_LIB_OBJS}
  DEPENDS ${AB_FS_LIB_OBJS}
  COMMENT "Archiving libab_loader_i386.a"
  VERBATIM)
# The check runs in the build as well as in ctest, so a libc or libgcc call
# slipping into the loader breaks the build where it happens.  A stamp, so
# that a failed check is retried on the next build.
add_custom_command(OUTPUT ${AB_FS_NM_STAMP}
  COMMAND ${CMAKE_COMMAND} -DAB_FS_MODE=nm -DAB_FS_NM=${CMAKE_NM}
          -DAB_FS_ARCHIVE=${AB_LOADER_I386_LIB} -P ${AB_FS_HERE}/freestanding.cmake
  COMMAND ${CMAKE_COMMAND} -E touch ${AB_FS_NM_STAMP}
  DEPENDS ${AB_LOADER_I386_LIB} ${AB_FS_HERE}/freestanding.cmake
  COMMENT "Checking libab_loader_i386.a for foreign symbols"
  VERBATIM)
add_custom_target(ab_loader_i386 ALL DEPENDS ${AB_LOADER_I386_LIB} ${AB_FS_NM_STAMP})

# --- the fixtures ----------------------------------------------------------
set(AB_FS_FIX ${AB_FS_HERE}/fixtures)
set(AB_WEDGE_FIXTURE ${AB_FS_OUT}/wedge-fixture.elf)
set(AB_GUEST_FIXTURE ${AB_FS_OUT}/proof-guest.elf)

# The wedge: preprocessed against abi/kinds.def, so it tracks new kinds.
set(AB_FS_WEDGE_OBJS)
ab_fs_compile(AB_FS_WEDGE_OBJS fixture ${AB_FS_FIX}/wedge_fixture.S)
add_custom_command(OUTPUT ${AB_WEDGE_FIXTURE}
  COMMAND ${AB_FS_LD} -m elf_i386 -nostdlib -T ${AB_FS_FIX}/wedge_fixture.ld
          -o ${AB_WEDGE_FIXTURE} ${AB_FS_WEDGE_OBJS}
  DEPENDS ${AB_FS_WEDGE_OBJS} ${AB_FS_FIX}/wedge_fixture.ld
  COMMENT "Linking wedge-fixture.elf"
  VERBATIM)

# The guest: assembled by our own assembler, so its sites are real ones.
set(AB_FS_GUEST_OBJ ${AB_FS_OBJ}/fixture_guest.o)
add_custom_command(OUTPUT ${AB_FS_GUEST_OBJ}
  COMMAND $<TARGET_FILE:afterburn-as> --32 --afterburn-policy=full --afterburn-quiet
          -o ${AB_FS_GUEST_OBJ} ${AB_FS_FIX}/guest.S
  DEPENDS afterburn-as ${AB_FS_FIX}/guest.S
  COMMENT "Assembling the fixture guest with afterburn-as"
  VERBATIM)
add_custom_command(OUTPUT ${AB_GUEST_FIXTURE}
  COMMAND ${AB_FS_LD} -m elf_i386 -nostdlib -T ${AB_FS_FIX}/guest.ld
          -o ${AB_GUEST_FIXTURE} ${AB_FS_GUEST_OBJ}
  DEPENDS ${AB_FS_GUEST_OBJ} ${AB_FS_FIX}/guest.ld
  COMMENT "Linking proof-guest.elf"
  VERBATIM)
# Their own target, so that host tests can use them without the proof.
add_custom_target(ab_loader_fixtures ALL DEPENDS ${AB_WEDGE_FIXTURE} ${AB_GUEST_FIXTURE})

# --- the proof image -------------------------------------------------------
set(AB_LOADER_PROOF ${AB_FS_OUT}/loader-proof.elf)
set(AB_FS_PROOF_OBJS)
ab_fs_compile(AB_FS_PROOF_OBJS proof ${AB_FS_HERE}/proof/proof.c -I${AB_FS_HERE}/proof)
ab_fs_compile(AB_FS_PROOF_OBJS proof ${AB_FS_HERE}/proof/serial.c -I${AB_FS_HERE}/proof)
# start.S embeds the two fixtures with .incbin, found on the assembler's -I path.
set(AB_FS_START_OBJ ${AB_FS_OBJ}/proof_start.o)
add_custom_command(OUTPUT ${AB_FS_START_OBJ}
  COMMAND ${CMAKE_C_COMPILER} -m32 -c -Wa,-I${AB_FS_OUT} ${AB_FS_HERE}/proof/start.S
          -o ${AB_FS_START_OBJ}
  DEPENDS ${AB_FS_HERE}/proof/start.S ${AB_WEDGE_FIXTURE} ${AB_GUEST_FIXTURE}
  COMMENT "Assembling the proof image's entry, with the fixtures"
  VERBATIM)
add_custom_command(OUTPUT ${AB_LOADER_PROOF}
  COMMAND ${AB_FS_LD} -m elf_i386 -nostdlib -T ${AB_FS_HERE}/proof/proof.ld
          -o ${AB_LOADER_PROOF} ${AB_FS_START_OBJ} ${AB_FS_PROOF_OBJS} ${AB_LOADER_I386_LIB}
  DEPENDS ${AB_FS_START_OBJ} ${AB_FS_PROOF_OBJS} ${AB_LOADER_I386_LIB} ${AB_FS_NM_STAMP}
          ${AB_FS_HERE}/proof/proof.ld
  COMMENT "Linking loader-proof.elf (no libc, no libgcc)"
  VERBATIM)
add_custom_target(ab_loader_proof ALL DEPENDS ${AB_LOADER_PROOF})
# These targets share commands (the archive, the fixtures); ordering them
# keeps a Makefile generator from running one command twice in parallel.
add_dependencies(ab_loader_proof ab_loader_i386 ab_loader_fixtures)

# --- the tests -------------------------------------------------------------
add_test(NAME loader_freestanding_nm
  COMMAND ${CMAKE_COMMAND} -DAB_FS_MODE=nm -DAB_FS_NM=${CMAKE_NM}
          -DAB_FS_ARCHIVE=${AB_LOADER_I386_LIB} -P ${AB_FS_HERE}/freestanding.cmake)
if(AB_QEMU_I386)
  add_test(NAME loader_proof_qemu
    COMMAND ${CMAKE_COMMAND} -DAB_FS_MODE=qemu -DAB_FS_QEMU=${AB_QEMU_I386}
            -DAB_FS_IMAGE=${AB_LOADER_PROOF} -P ${AB_FS_HERE}/freestanding.cmake)
  set_tests_properties(loader_proof_qemu PROPERTIES TIMEOUT 90)
else()
  message(WARNING "qemu-system-i386 not found: no loader_proof_qemu test (scripts/setup installs it)")
endif()

return()
endif()

# --- script mode: cmake -DAB_FS_MODE=nm|qemu ... -P freestanding.cmake -----
cmake_minimum_required(VERSION 3.20)

if(AB_FS_MODE STREQUAL "nm")
  # Every symbol the archive leaves undefined must be defined by one of its
  # own members; anything else (memcpy, __udivdi3, __stack_chk_fail...) is a
  # dependency on a libc or libgcc the hypervisor does not have.
  if(NOT EXISTS "${AB_FS_ARCHIVE}")
    message(FATAL_ERROR "${AB_FS_ARCHIVE} is missing: build first")
  endif()
  execute_process(COMMAND ${AB_FS_NM} -u ${AB_FS_ARCHIVE}
    OUTPUT_VARIABLE undef RESULT_VARIABLE rc1)
  execute_process(COMMAND ${AB_FS_NM} -g --defined-only ${AB_FS_ARCHIVE}
    OUTPUT_VARIABLE def RESULT_VARIABLE rc2)
  if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
    message(FATAL_ERROR "nm failed on ${AB_FS_ARCHIVE}")
  endif()
  string(REGEX MATCHALL "[^\n]+" undef_lines "${undef}")
  string(REGEX MATCHALL "[^\n]+" def_lines "${def}")
  set(defined)
  foreach(l ${def_lines})
    if(l MATCHES "^[0-9a-fA-F]+ [A-Za-z] (.+)$")
      list(APPEND defined "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(foreign)
  set(nundef 0)
  foreach(l ${undef_lines})
    if(l MATCHES "^ +[Uw] (.+)$")
      math(EXPR nundef "${nundef} + 1")
      if(NOT "${CMAKE_MATCH_1}" IN_LIST defined)
        list(APPEND foreign "${CMAKE_MATCH_1}")
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES foreign)
  if(foreign)
    string(REPLACE ";" " " foreign "${foreign}")
    message(FATAL_ERROR "${AB_FS_ARCHIVE} needs symbols it does not define: ${foreign}\n"
      "(a libc or libgcc call the freestanding loader may not make; see loader/freestanding.cmake)")
  endif()
  list(LENGTH defined ndef)
  message(STATUS "libab_loader_i386.a: ${nundef} undefined references, all to its own ${ndef} symbols")

elseif(AB_FS_MODE STREQUAL "qemu")
  # QEMU's exit status: isa-debug-exit gives (v << 1) | 1; the proof writes
  # 0 on success (status 1) and 1 on failure (status 3).  A crash
  # (triple fault with -no-reboot) exits 0, a hang hits the timeout.
  if(NOT EXISTS "${AB_FS_IMAGE}")
    message(FATAL_ERROR "${AB_FS_IMAGE} is missing: build first")
  endif()
  execute_process(COMMAND ${AB_FS_QEMU} -accel tcg -kernel ${AB_FS_IMAGE}
      -display none -serial stdio -monitor none -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=4
    INPUT_FILE /dev/null
    TIMEOUT 60
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  string(REPLACE "\r" "" out "${out}")
  message("${out}${err}")
  if(NOT rc STREQUAL "1" OR NOT out MATCHES "Test result: SUCCESS")
    message(FATAL_ERROR "loader proof failed: QEMU exit status ${rc} (want 1), "
      "and the output must say 'Test result: SUCCESS'")
  endif()

else()
  message(FATAL_ERROR "freestanding.cmake: as a script, set AB_FS_MODE to nm or qemu")
endif()
