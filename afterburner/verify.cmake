# afterburn: the multi-command host tool (verify now; patch, run, prof later).
# Included from afterburner/CMakeLists.txt.  The thorough tests are pytest
# (tests/test_verify.py, marker afterburner); ctest gets a smoke test.
set(AB_AFTERBURN_DIR ${CMAKE_CURRENT_LIST_DIR})

add_executable(afterburn
  ${AB_AFTERBURN_DIR}/afterburn_main.c
  ${AB_AFTERBURN_DIR}/verify_cmd.c
  ${AB_AFTERBURN_DIR}/verify.c
  ${AB_AFTERBURN_DIR}/verify_sites.c
  ${AB_AFTERBURN_DIR}/verify_exclude.c
  ${AB_AFTERBURN_DIR}/verify_report.c
  ${AB_AFTERBURN_DIR}/elfimage.c
  ${AB_AFTERBURN_DIR}/elfsyms.c
  ${AB_AFTERBURN_DIR}/elfsites.c)
target_include_directories(afterburn PRIVATE ${AB_AFTERBURN_DIR})
target_compile_definitions(afterburn PRIVATE AB_VERSION="${PROJECT_VERSION}")
target_link_libraries(afterburn PRIVATE ab_abi ab_patch_cmd PkgConfig::CAPSTONE PkgConfig::LIBELF)

# Smoke test: two i386 objects with a hand-written site record (kind 1 is
# pushf, the first row of abi/kinds.def), one clean and one with an
# unannotated popf.  Assembled at build time with the C compiler's -m32.
set(AB_VERIFY_FIXTURE [=[
	.text
	.globl f
	.type f,@function
f:
1:	pushfl
	.byte 0x0f, 0x1f, 0x40, 0x00
	cli
	POPF
	ret
	.size f, .-f
	.section .afterburn,"a",@progbits
	.long 1b - .
	.byte 1, 5, 1, 0x10, 0, 0, 4, 0
]=])
set(AB_VERIFY_FIXTURES)
foreach(variant pass fail)
  if(variant STREQUAL "pass")
    string(REPLACE "POPF" "nop" src "${AB_VERIFY_FIXTURE}")
  else()
    string(REPLACE "POPF" "popfl" src "${AB_VERIFY_FIXTURE}")
  endif()
  set(s ${CMAKE_CURRENT_BINARY_DIR}/verify_${variant}.s)
  set(o ${CMAKE_CURRENT_BINARY_DIR}/verify_${variant}.o)
  file(WRITE ${s} "${src}")
  add_custom_command(OUTPUT ${o}
    COMMAND ${CMAKE_C_COMPILER} -m32 -c -o ${o} ${s}
    DEPENDS ${s} VERBATIM)
  list(APPEND AB_VERIFY_FIXTURES ${o})
endforeach()
add_custom_target(afterburn_verify_fixtures ALL DEPENDS ${AB_VERIFY_FIXTURES})

add_test(NAME afterburn_help COMMAND afterburn --help)
add_test(NAME afterburn_verify_pass
  COMMAND afterburn verify ${CMAKE_CURRENT_BINARY_DIR}/verify_pass.o)
# Exit status 1 exactly: a crash or an input error must not pass.
add_test(NAME afterburn_verify_fail
  COMMAND sh -c "\"$1\" verify --json \"$2\"; test $? -eq 1" sh
          $<TARGET_FILE:afterburn> ${CMAKE_CURRENT_BINARY_DIR}/verify_fail.o)
