# cmake -DQEMU=... -DELF=... [-DEXPECTED=expected.txt] [-DOUT=file] -P run_bare.cmake
# Boots the mini-OS bare in QEMU.  Passes on exit status 1 (isa-debug-exit
# with 0: QEMU itself never exits 1; a triple fault exits 0), "Test result:
# SUCCESS", and, given EXPECTED, output byte-identical to it.
cmake_minimum_required(VERSION 3.20)
if(NOT EXISTS "${ELF}")
  message(FATAL_ERROR "${ELF} is missing: build first")
endif()
execute_process(COMMAND ${QEMU} -accel tcg
    -cpu qemu32,-pse,-pge,-apic,-sep,-pae,-mtrr,-mca,-mce,-pat,-pse36
    -m 64M -kernel ${ELF} -display none -serial stdio -monitor none -no-reboot
    -device isa-debug-exit,iobase=0xf4,iosize=4
  INPUT_FILE /dev/null
  TIMEOUT 100
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
if(OUT)
  file(WRITE "${OUT}" "${out}")
endif()
if(NOT rc STREQUAL "1" OR NOT out MATCHES "\nTest result: SUCCESS\n")
  message(FATAL_ERROR "minios failed: QEMU exit status ${rc} (want 1), "
    "and the output must say 'Test result: SUCCESS'")
endif()
if(EXPECTED)
  file(READ "${EXPECTED}" want)
  if(NOT out STREQUAL want)
    message(FATAL_ERROR "minios's output differs from ${EXPECTED}")
  endif()
endif()
